using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;

namespace NeuralML.Training;

/// <summary>
/// Trains a <see cref="FeedForwardNetwork"/>: builds and initialises it, standardises the data, splits off the rows
/// to watch, runs the <see cref="EpochLoop"/> with the chosen optimizer, restores the best epoch and folds the
/// standardisation into the network. Every random choice (initial weights, hold-out, shuffles, dropout) comes from
/// one generator seeded by <see cref="TrainingSettings.Seed"/>, in a fixed order, so a seed decides the network.
/// </summary>
internal sealed class NetworkTrainer
{
    /// <summary>Rows a full-batch evaluation reads at a time (its buffers' size).</summary>
    private const int FullBatchChunkRows = 1024;

    private readonly TrainingSettings _settings;
    private readonly DenseKernels _kernels;

    public NetworkTrainer(TrainingSettings settings, DenseKernels? kernels = null)
    {
        settings.Validate();
        _settings = settings;
        _kernels = kernels ?? (settings.NumberOfThreads is int threads ? DenseKernels.Create(threads) : DenseKernels.Default);
    }

    /// <summary>Trains a new network with <paramref name="outputs"/> logits per row.</summary>
    /// <param name="data">The training rows.</param>
    /// <param name="outputs">Logits per row.</param>
    /// <param name="validation">
    /// Rows to watch for overfitting instead of holding out <see cref="TrainingSettings.ValidationFraction"/> of
    /// <paramref name="data"/>; early stopping uses them when <see cref="TrainingSettings.EarlyStoppingRounds"/> is positive.
    /// </param>
    /// <param name="progress">Called after every epoch; returning false ends training after that epoch (keeping the best epoch, as early stopping does).</param>
    /// <param name="cancellation">Checked before every batch.</param>
    /// <param name="initial">
    /// A trained network to continue from (not changed: training works on a copy) instead of a new one; its layers
    /// replace <see cref="TrainingSettings.HiddenLayers"/> and <see cref="TrainingSettings.Activation"/>. The optimizer
    /// starts afresh.
    /// </param>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite (training diverged).</exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested.</exception>
    public TrainingResult Train(ITrainingSet data, int outputs, ITrainingSet? validation = null, Func<EpochReport, bool>? progress = null,
        TrainingCancellation cancellation = default, FeedForwardNetwork? initial = null)
    {
        if (data.RowCount == 0) throw new ArgumentException("The training set has no rows.", nameof(data));
        if (validation is not null && (validation.FeatureCount != data.FeatureCount || validation.TargetWidth != data.TargetWidth))
            throw new ArgumentException("The validation rows do not have the training rows' shape.", nameof(validation));
        TrainingSettings settings = _settings.ForRows(data.RowCount);
        var random = new Xoshiro256StarStar(settings.Seed);
        if (initial is not null && (initial.InputCount != data.FeatureCount || initial.OutputCount != outputs))
            throw new ArgumentException($"The initial network reads {initial.InputCount} features and has {initial.OutputCount} outputs; the data has {data.FeatureCount} features and needs {outputs}.", nameof(initial));
        FeedForwardNetwork network;
        if (initial is null)
        {
            network = new FeedForwardNetwork(data.FeatureCount, settings.HiddenLayers!, settings.Activation, outputs, settings.BatchNormalization);
            network.Initialize(random);
        }
        else
        {
            network = initial.Clone();
        }

        LossHead head = LossHead.Create(settings.Loss, settings.LabelSmoothing);
        int targetWidth = head.TargetWidth(outputs);
        if (targetWidth != data.TargetWidth)
            throw new ArgumentException($"The loss needs {targetWidth} target values per row; the data has {data.TargetWidth}.", nameof(data));
        Standardizer standardizer = Standardizer.Fit(data, settings);
        if (initial is not null) standardizer.UnfoldFrom(network);
        bool standardizeTrainingBatches = standardizer.StandardizeInPlaceIfOwned(data);
        double constantLoss = ConstantPrediction.Loss(data, head, standardizer, outputs);
        ValidationRows watched = ValidationRows.Create(data, validation, settings, random);
        bool standardizeValidationBatches = validation is null ? standardizeTrainingBatches : standardizer.StandardizeInPlaceIfOwned(validation);

        int threads = settings.NumberOfThreads ?? Environment.ProcessorCount;
        IOptimizer optimizer = Optimizers.Create(settings, network.Parameters.Length, threads);
        // A full-batch method (L-BFGS) takes every training row per step, read in chunks of at most FullBatchChunkRows.
        bool fullBatch = optimizer.IsFullBatch;
        int trainingRows = watched.TrainingRows.Length;
        int batchSize = fullBatch ? trainingRows : Math.Min(settings.BatchSize, trainingRows);
        int bufferRows = fullBatch ? Math.Min(FullBatchChunkRows, trainingRows) : batchSize;
        var batch = new BatchBuffers(bufferRows, data.FeatureCount, targetWidth, outputs, data.HasWeights || validation?.HasWeights == true);
        IHiddenLayerPart[] trainingParts = settings.DropoutRate > 0f ? [new Dropout(settings.DropoutRate, random)] : [];
        var objective = new TrainingObjective(network, head, _kernels, data, batch, standardizer, standardizeTrainingBatches,
            new Regularization(settings.L2Regularization, settings.L1Regularization, settings.GradientClipNorm), trainingParts);
        // A full-batch step is not noisy: early stopping needs no minimum number of steps then.
        EarlyStopping? earlyStopping = watched.Rows.Length > 0 && settings.EarlyStoppingRounds > 0
            ? new EarlyStopping(settings.EarlyStoppingRounds, fullBatch ? EarlyStopping.MinimumPatienceSteps : (trainingRows + batchSize - 1) / batchSize, network.Parameters)
            : null;

        ILearningRateSchedule schedule = LearningRateSchedules.Create(settings, (watched.TrainingRows.Length + batchSize - 1) / batchSize);
        var loop = new EpochLoop(objective, optimizer, schedule, watched, standardizeValidationBatches, earlyStopping, random);
        List<EpochReport> history = loop.Run(settings.Epochs!.Value, batchSize, cancellation, progress);
        earlyStopping?.RestoreBest(network.Parameters);
        if (network.HasBatchNormalization) network = network.FoldBatchNormalization();
        standardizer.FoldInto(network);
        int kept = earlyStopping?.BestEpoch ?? history.Count;
        return new TrainingResult(network, history, kept, TrainingDiagnosis.Of(history, kept, constantLoss), ValidationMetric.NameOf(settings.Loss),
            optimizer.Converged);
    }
}
