using System.Diagnostics;
using NeuralML.Kernels;
using NeuralML.Network;

namespace NeuralML.Training;

/// <summary>
/// Mini-batch training of a <see cref="FeedForwardNetwork"/>: every epoch visits the rows in a fresh shuffled order,
/// and each batch runs forward, loss head, backward, L2, and one optimizer step. Workspaces are allocated once per run.
/// </summary>
internal sealed class NetworkTrainer
{
    /// <summary>Early stopping waits at least this many optimizer steps without improvement.</summary>
    public const int MinimumPatienceSteps = 300;

    private readonly TrainingSettings _settings;
    private readonly IDenseKernels _kernels;

    public NetworkTrainer(TrainingSettings settings, IDenseKernels? kernels = null)
    {
        settings.Validate();
        _settings = settings;
        _kernels = kernels ?? (settings.Threads is int threads ? DenseKernels.Create(threads) : DenseKernels.Default);
    }

    /// <summary>The per-epoch losses of the last <see cref="Train"/>.</summary>
    public IReadOnlyList<EpochReport> History { get; private set; } = [];

    /// <summary>The epoch whose parameters the last <see cref="Train"/> returned: the best on validation with early stopping, else the last.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>Trains a new network with <paramref name="outputs"/> logits per row.</summary>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite (training diverged).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled or <paramref name="isCanceled"/> returned true.</exception>
    /// <param name="data">The training rows.</param>
    /// <param name="outputs">Logits per row.</param>
    /// <param name="progress">Called after every epoch.</param>
    /// <param name="cancellation">Checked before every batch.</param>
    /// <param name="isCanceled">Checked before every batch.</param>
    /// <param name="validation">
    /// Rows to watch for overfitting instead of holding out <see cref="TrainingSettings.ValidationFraction"/> of
    /// <paramref name="data"/>; early stopping uses them when <see cref="TrainingSettings.EarlyStoppingPatience"/> is positive.
    /// </param>
    public FeedForwardNetwork Train(ITrainingSet data, int outputs, Action<EpochReport>? progress = null, CancellationToken cancellation = default,
        Func<bool>? isCanceled = null, ITrainingSet? validation = null)
    {
        if (data.RowCount == 0) throw new ArgumentException("The training set has no rows.", nameof(data));
        if (validation is not null && (validation.FeatureCount != data.FeatureCount || validation.TargetWidth != data.TargetWidth))
            throw new ArgumentException("The validation rows do not have the training rows' shape.", nameof(validation));
        var random = new SplitMix(_settings.Seed);
        var network = new FeedForwardNetwork(data.FeatureCount, _settings.HiddenLayers, _settings.Activation, outputs);
        network.Initialize(random);

        LossHead head = LossHead.Create(_settings.Loss);
        int targetWidth = head.TargetWidth(outputs);
        if (targetWidth != data.TargetWidth)
            throw new ArgumentException($"The loss needs {targetWidth} target values per row; the data has {data.TargetWidth}.", nameof(data));
        (float targetShift, float targetScale) = IsRegression(_settings.Loss) && _settings.StandardizeTargets
            ? TargetStatistics(data)
            : (0f, 1f);

        (float[] featureShift, float[] featureScale) = _settings.StandardizeFeatures
            ? FeatureStatistics(data)
            : (new float[data.FeatureCount], Enumerable.Repeat(1f, data.FeatureCount).ToArray());

        // A private in-memory copy is standardised once; otherwise each batch is, as it is loaded.
        bool StandardizesBatches(ITrainingSet set)
        {
            if (!_settings.StandardizeFeatures) return false;
            if (set is not InMemoryTrainingSet { TrainerMayModify: true } owned) return true;
            owned.StandardizeInPlace(featureShift, featureScale);
            return false;
        }
        bool standardizeBatches = StandardizesBatches(data);

        var order = new int[data.RowCount];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        int validationRows = validation is null ? ValidationRowCount(data.RowCount) : 0;
        if (validationRows > 0) random.Shuffle(order);
        int[] trainRows = order[..^validationRows];
        // The rows the validation loss is measured on: given ones, or the held-out part of the training rows.
        ITrainingSet evaluation = validation ?? data;
        int[] evaluationRows = validation is null ? order[^validationRows..] : Enumerable.Range(0, validation.RowCount).ToArray();
        bool standardizeEvaluation = validation is null ? standardizeBatches : StandardizesBatches(validation);
        bool earlyStopping = evaluationRows.Length > 0 && _settings.EarlyStoppingPatience > 0;

        int batchCapacity = Math.Min(_settings.BatchSize, trainRows.Length);
        var workspace = new NetworkWorkspace(network, batchCapacity);
        var features = new float[batchCapacity * data.FeatureCount]; // (batch, features)
        var targets = new float[batchCapacity * targetWidth];         // (batch, targetWidth)
        var weights = data.HasWeights || evaluation.HasWeights ? new float[batchCapacity] : [];
        var dLogits = new float[batchCapacity * outputs];              // (batch, outputs)
        var dParameters = new float[network.Parameters.Length];
        float[]? bestParameters = earlyStopping ? (float[])network.Parameters.Clone() : null;
        Optimizer optimizer = Optimizer.Create(_settings.Optimizer, network.Parameters.Length, _settings.LearningRate, _settings.Momentum, _settings.Nesterov,
            _settings.Threads ?? Environment.ProcessorCount);
        Dropout? dropout = _settings.DropoutRate > 0f ? new Dropout(_settings.DropoutRate, random) : null;

        // Copies rows into the batch buffers, standardised as the network sees them; returns the batch's total weight.
        double LoadBatch(ITrainingSet set, ReadOnlySpan<int> rowIndices, bool standardize)
        {
            int rows = rowIndices.Length;
            Span<float> batchWeights = set.HasWeights ? weights.AsSpan(0, rows) : [];
            set.CopyRows(rowIndices, features, targets, batchWeights);
            if (standardize) Standardize(features.AsSpan(0, rows * set.FeatureCount), featureShift, featureScale);
            if (targetScale != 1f || targetShift != 0f)
                foreach (ref float t in targets.AsSpan(0, rows * targetWidth)) t = (t - targetShift) / targetScale;
            return set.HasWeights ? SumOf(batchWeights) : rows;
        }

        double ValidationLoss()
        {
            double lossSum = 0, weightSum = 0;
            for (int start = 0; start < evaluationRows.Length; start += batchCapacity)
            {
                int rows = Math.Min(batchCapacity, evaluationRows.Length - start);
                weightSum += LoadBatch(evaluation, evaluationRows.AsSpan(start, rows), standardizeEvaluation);
                ReadOnlySpan<float> logits = network.Forward(features, rows, workspace, _kernels);
                lossSum += head.LossAndGradient(logits, targets.AsSpan(0, rows * targetWidth), evaluation.HasWeights ? weights.AsSpan(0, rows) : [],
                    dLogits, rows, outputs, 1f);
            }
            return weightSum > 0 ? lossSum / weightSum : 0;
        }

        // On small data an epoch is a handful of steps and the held-out loss is noisy early on: wait at least
        // MinimumPatienceSteps optimizer steps, as well as EarlyStoppingPatience epochs, before giving up.
        int batchesPerEpoch = (trainRows.Length + batchCapacity - 1) / batchCapacity;
        int patience = Math.Max(_settings.EarlyStoppingPatience, (MinimumPatienceSteps + batchesPerEpoch - 1) / batchesPerEpoch);
        var history = new List<EpochReport>(_settings.Epochs);
        double bestValidationLoss = double.PositiveInfinity;
        int bestEpoch = 0;
        for (int epoch = 1; epoch <= _settings.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            random.Shuffle(trainRows);
            double lossSum = 0, weightSum = 0;
            for (int start = 0; start < trainRows.Length; start += batchCapacity)
            {
                cancellation.ThrowIfCancellationRequested();
                if (isCanceled?.Invoke() == true) throw new OperationCanceledException("Training was cancelled.");
                int rows = Math.Min(batchCapacity, trainRows.Length - start);
                double batchWeight = LoadBatch(data, trainRows.AsSpan(start, rows), standardizeBatches);
                if (batchWeight <= 0) continue;

                ReadOnlySpan<float> logits = network.Forward(features, rows, workspace, _kernels, dropout);
                lossSum += head.LossAndGradient(logits, targets.AsSpan(0, rows * targetWidth), data.HasWeights ? weights.AsSpan(0, rows) : [],
                    dLogits, rows, outputs, (float)(1.0 / batchWeight));
                weightSum += batchWeight;

                network.Backward(features, rows, dLogits, dParameters, workspace, _kernels, droppedOut: dropout is not null);
                AddL2(network, dParameters);
                optimizer.Step(network.Parameters, dParameters);
            }

            double meanLoss = weightSum > 0 ? lossSum / weightSum : 0;
            if (!double.IsFinite(meanLoss) || !AllFinite(network.Parameters))
                throw new InvalidOperationException(
                    $"Training diverged in epoch {epoch}: the loss is {meanLoss}. Lower the learning rate (now {_settings.LearningRate}) or normalise the features.");
            double? validationLoss = evaluationRows.Length > 0 ? ValidationLoss() : null;
            if (earlyStopping && validationLoss < bestValidationLoss)
            {
                bestValidationLoss = validationLoss.Value;
                bestEpoch = epoch;
                network.Parameters.CopyTo(bestParameters!, 0);
            }
            var report = new EpochReport(epoch, _settings.Epochs, meanLoss, clock.Elapsed, validationLoss);
            history.Add(report);
            progress?.Invoke(report);
            if (earlyStopping && epoch - bestEpoch >= patience) break;
        }
        History = history;
        BestEpoch = earlyStopping ? bestEpoch : history.Count;
        if (bestParameters is not null) bestParameters.CopyTo(network.Parameters, 0);

        if (targetScale != 1f || targetShift != 0f) FoldTargetScale(network, targetShift, targetScale);
        if (_settings.StandardizeFeatures) FoldFeatureScale(network, featureShift, featureScale);
        return network;
    }

    /// <summary>The rows held out for early stopping: the validation fraction of the data, if that leaves rows on both sides.</summary>
    private int ValidationRowCount(int rowCount)
    {
        if (_settings.ValidationFraction <= 0f || _settings.EarlyStoppingPatience <= 0) return 0;
        int count = (int)Math.Ceiling(rowCount * (double)_settings.ValidationFraction);
        return count >= 1 && count < rowCount ? count : 0;
    }

    private static bool IsRegression(LossKind loss) => loss is LossKind.SquaredError or LossKind.AbsoluteError or LossKind.Huber;

    private void AddL2(FeedForwardNetwork network, Span<float> dParameters)
    {
        float lambda = _settings.L2Regularization;
        if (lambda == 0f) return;
        // Weights only: penalising biases would pull every unit's threshold to zero for no gain in smoothness.
        for (int l = 0; l < network.Layers.Count; l++)
        {
            DenseLayerShape layer = network.Layers[l];
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(network.Weights(l), lambda,
                dParameters.Slice(layer.WeightOffset, layer.WeightCount), dParameters.Slice(layer.WeightOffset, layer.WeightCount));
        }
    }

    /// <summary>The weighted mean and standard deviation of the targets (std 1 when the targets are constant).</summary>
    private static (float Mean, float Std) TargetStatistics(ITrainingSet data)
    {
        const int chunk = 1024;
        var rows = new int[chunk];
        var features = new float[chunk * data.FeatureCount];
        var targets = new float[chunk * data.TargetWidth];
        var weights = new float[chunk];
        double sum = 0, sumSquares = 0, weightSum = 0;
        for (int start = 0; start < data.RowCount; start += chunk)
        {
            int count = Math.Min(chunk, data.RowCount - start);
            for (int i = 0; i < count; i++) rows[i] = start + i;
            data.CopyRows(rows.AsSpan(0, count), features, targets, data.HasWeights ? weights : []);
            for (int i = 0; i < count; i++)
            {
                double w = data.HasWeights ? weights[i] : 1, y = targets[i * data.TargetWidth];
                sum += w * y;
                sumSquares += w * y * y;
                weightSum += w;
            }
        }
        if (weightSum <= 0) return (0f, 1f);
        double mean = sum / weightSum;
        double variance = Math.Max(0, sumSquares / weightSum - mean * mean);
        double std = Math.Sqrt(variance);
        return ((float)mean, std > 1e-12 * Math.Max(1, Math.Abs(mean)) ? (float)std : 1f);
    }

    /// <summary>
    /// Per-feature mean and standard deviation over all rows (std 1 for a constant feature), in two passes, so that a
    /// feature with a large mean and a small spread (a timestamp, say) keeps its precision.
    /// </summary>
    private static (float[] Mean, float[] Std) FeatureStatistics(ITrainingSet data)
    {
        int width = data.FeatureCount;
        var sum = new double[width];
        ForEachChunk(data, (features, count) =>
        {
            for (int i = 0; i < count; i++)
                for (int j = 0; j < width; j++) sum[j] += features[i * width + j];
        });
        var mean = new double[width];
        for (int j = 0; j < width; j++) mean[j] = sum[j] / data.RowCount;
        var squares = new double[width];
        ForEachChunk(data, (features, count) =>
        {
            for (int i = 0; i < count; i++)
            {
                for (int j = 0; j < width; j++)
                {
                    double d = features[i * width + j] - mean[j];
                    squares[j] += d * d;
                }
            }
        });
        var shift = new float[width];
        var scale = new float[width];
        for (int j = 0; j < width; j++)
        {
            double sd = Math.Sqrt(squares[j] / data.RowCount);
            shift[j] = (float)mean[j];
            scale[j] = sd > 1e-6 * Math.Max(1, Math.Abs(mean[j])) ? (float)sd : 1f;
        }
        return (shift, scale);
    }

    private static void ForEachChunk(ITrainingSet data, Action<float[], int> visit)
    {
        const int chunk = 1024;
        var rows = new int[chunk];
        var features = new float[chunk * data.FeatureCount];
        var targets = new float[chunk * data.TargetWidth];
        var weights = new float[chunk];
        for (int start = 0; start < data.RowCount; start += chunk)
        {
            int count = Math.Min(chunk, data.RowCount - start);
            for (int i = 0; i < count; i++) rows[i] = start + i;
            data.CopyRows(rows.AsSpan(0, count), features, targets, data.HasWeights ? weights : []);
            visit(features, count);
        }
    }

    /// <summary>x ← (x − shift)/scale for every row of (rows, shift.Length) features.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Standardize(Span<float> features, float[] shift, float[] scale)
    {
        int width = shift.Length;
        for (int start = 0; start < features.Length; start += width)
        {
            Span<float> row = features.Slice(start, width);
            System.Numerics.Tensors.TensorPrimitives.Subtract(row, shift, row);
            System.Numerics.Tensors.TensorPrimitives.Divide(row, scale, row);
        }
    }

    /// <summary>
    /// The network learned on (x − shift)/scale; make it read x: W'[j, o] = W[j, o]/scale[j] and
    /// b'[o] = b[o] − Σ_j W'[j, o]·shift[j].
    /// </summary>
    private static void FoldFeatureScale(FeedForwardNetwork network, float[] shift, float[] scale)
    {
        DenseLayerShape first = network.Layers[0];
        Span<float> weights = network.Weights(0), biases = network.Biases(0);
        var offsets = new double[first.Outputs];
        for (int j = 0; j < first.Inputs; j++)
        {
            Span<float> row = weights.Slice(j * first.Outputs, first.Outputs);
            for (int o = 0; o < first.Outputs; o++)
            {
                row[o] /= scale[j];
                offsets[o] += (double)row[o] * shift[j];
            }
        }
        for (int o = 0; o < first.Outputs; o++) biases[o] = (float)(biases[o] - offsets[o]);
    }

    /// <summary>The network learned (y − shift)/scale; make it predict y by scaling the output layer: W ← sW, b ← sb + shift.</summary>
    private static void FoldTargetScale(FeedForwardNetwork network, float shift, float scale)
    {
        int last = network.Layers.Count - 1;
        foreach (ref float w in network.Weights(last)) w *= scale;
        foreach (ref float b in network.Biases(last)) b = b * scale + shift;
    }

    private static double SumOf(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float v in values) sum += v;
        return sum;
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
            if (!float.IsFinite(v)) return false;
        return true;
    }
}
