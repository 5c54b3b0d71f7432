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
    private readonly TrainingSettings _settings;
    private readonly IDenseKernels _kernels;

    public NetworkTrainer(TrainingSettings settings, IDenseKernels? kernels = null)
    {
        settings.Validate();
        _settings = settings;
        _kernels = kernels ?? DenseKernels.Default;
    }

    /// <summary>The per-epoch losses of the last <see cref="Train"/>.</summary>
    public IReadOnlyList<EpochReport> History { get; private set; } = [];

    /// <summary>Trains a new network with <paramref name="outputs"/> logits per row.</summary>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite (training diverged).</exception>
    public FeedForwardNetwork Train(ITrainingSet data, int outputs, Action<EpochReport>? progress = null, CancellationToken cancellation = default)
    {
        if (data.RowCount == 0) throw new ArgumentException("The training set has no rows.", nameof(data));
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

        int batchCapacity = Math.Min(_settings.BatchSize, data.RowCount);
        var workspace = new NetworkWorkspace(network, batchCapacity);
        var features = new float[batchCapacity * data.FeatureCount]; // (batch, features)
        var targets = new float[batchCapacity * targetWidth];         // (batch, targetWidth)
        var weights = data.HasWeights ? new float[batchCapacity] : [];
        var dLogits = new float[batchCapacity * outputs];              // (batch, outputs)
        var dParameters = new float[network.Parameters.Length];
        var order = new int[data.RowCount];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Optimizer optimizer = Optimizer.Create(_settings.Optimizer, network.Parameters.Length, _settings.LearningRate, _settings.Momentum, _settings.Nesterov);
        Dropout? dropout = _settings.DropoutRate > 0f ? new Dropout(_settings.DropoutRate, random) : null;

        var history = new List<EpochReport>(_settings.Epochs);
        for (int epoch = 1; epoch <= _settings.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            random.Shuffle(order);
            double lossSum = 0, weightSum = 0;
            for (int start = 0; start < order.Length; start += batchCapacity)
            {
                cancellation.ThrowIfCancellationRequested();
                int rows = Math.Min(batchCapacity, order.Length - start);
                Span<float> batchWeights = data.HasWeights ? weights.AsSpan(0, rows) : [];
                data.CopyRows(order.AsSpan(start, rows), features, targets, batchWeights);
                Span<float> batchTargets = targets.AsSpan(0, rows * targetWidth);
                if (targetScale != 1f || targetShift != 0f)
                    foreach (ref float t in batchTargets) t = (t - targetShift) / targetScale;
                double batchWeight = data.HasWeights ? SumOf(batchWeights) : rows;
                if (batchWeight <= 0) continue;

                ReadOnlySpan<float> logits = network.Forward(features, rows, workspace, _kernels, dropout);
                lossSum += head.LossAndGradient(logits, batchTargets, batchWeights, dLogits, rows, outputs, (float)(1.0 / batchWeight));
                weightSum += batchWeight;

                dParameters.AsSpan().Clear();
                network.Backward(features, rows, dLogits, dParameters, workspace, _kernels, droppedOut: dropout is not null);
                AddL2(network, dParameters);
                optimizer.Step(network.Parameters, dParameters);
            }

            double meanLoss = weightSum > 0 ? lossSum / weightSum : 0;
            if (!double.IsFinite(meanLoss) || !AllFinite(network.Parameters))
                throw new InvalidOperationException(
                    $"Training diverged in epoch {epoch}: the loss is {meanLoss}. Lower the learning rate (now {_settings.LearningRate}) or normalise the features.");
            var report = new EpochReport(epoch, _settings.Epochs, meanLoss, clock.Elapsed);
            history.Add(report);
            progress?.Invoke(report);
        }
        History = history;

        if (targetScale != 1f || targetShift != 0f) FoldTargetScale(network, targetShift, targetScale);
        return network;
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
