using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using NeuralML.Training;

namespace NeuralML;

/// <summary>
/// What the three FeedForward trainers share: schema checks, reading the data, the training run with progress in
/// <c>MLContext.Log</c>, and the transformer that scores with the trained network.
/// </summary>
/// <typeparam name="TOptions">The trainer's options.</typeparam>
public abstract class FeedForwardTrainerBase<TOptions> : IEstimator<FeedForwardPredictionTransformer>
    where TOptions : FeedForwardOptions
{
    private const int AutomaticEpochSteps = 2000, MinAutomaticEpochs = 10, MaxAutomaticEpochs = 200;
    private readonly IHost? _host;
    private readonly PredictionKind _kind;
    private readonly int _seed;

    private protected FeedForwardTrainerBase(IHostEnvironment? environment, TOptions options, PredictionKind kind)
    {
        ArgumentNullException.ThrowIfNull(options);
        TrainerOptions = options;
        _kind = kind;
        _host = environment?.Register("FeedForward");
        // A model trained here can be saved and loaded back in this context without further set-up.
        if (environment is not null) MLNetPersistence.Register(environment.ComponentCatalog);
        // Drawn once, here, so that fitting this estimator twice gives the same model, as with an explicit seed.
        _seed = options.Seed ?? _host?.Rand.Next() ?? 0;
        Validate(options);
    }

    /// <summary>The options this trainer was created with.</summary>
    public TOptions TrainerOptions { get; }

    /// <summary>The seed this trainer uses: <see cref="FeedForwardOptions.Seed"/>, or one drawn from the MLContext.</summary>
    public int Seed => _seed;

    private protected abstract LossKind Loss { get; }

    /// <summary>Trains a network on <paramref name="input"/> and returns the transformer that scores with it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="InvalidOperationException">The data cannot be trained on (empty, one class only, a non-finite feature) or training diverged.</exception>
    public FeedForwardPredictionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return FitCore(input, validation: null);
    }

    /// <summary>
    /// Trains on <paramref name="trainData"/> and watches <paramref name="validationData"/> (same schema) for overfitting
    /// instead of holding out <see cref="FeedForwardOptions.ValidationFraction"/> of the training rows: its loss is
    /// logged every epoch, and with <see cref="FeedForwardOptions.EarlyStoppingRounds"/> above 0 training stops when it
    /// no longer improves and keeps the best epoch's weights. This is ML.NET's <c>Fit(train, validation)</c> idiom;
    /// like ML.NET's own, it is called on the trainer directly, outside an <c>Append</c> chain.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column of either data view is missing or of the wrong type.</exception>
    /// <exception cref="InvalidOperationException">The data cannot be trained on, or training diverged.</exception>
    public FeedForwardPredictionTransformer Fit(IDataView trainData, IDataView validationData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        ArgumentNullException.ThrowIfNull(validationData);
        return FitCore(trainData, validation: validationData);
    }

    private FeedForwardPredictionTransformer FitCore(IDataView input, IDataView? validation)
    {
        TOptions o = TrainerOptions;
        int classCount = ClassCount(input.Schema);
        TrainingDataReader.Result read = TrainingDataReader.Read(input, _kind, o.FeatureColumnName, o.LabelColumnName, o.ExampleWeightColumnName, classCount);
        CheckClasses(read);
        TrainingDataReader.Result? validationRead = null;
        if (validation is not null)
        {
            if (_kind == PredictionKind.MulticlassClassification && ClassCount(validation.Schema) != classCount)
                throw new ArgumentOutOfRangeException(nameof(validation),
                    $"Label column '{o.LabelColumnName}' has {ClassCount(validation.Schema)} classes in the validation data and {classCount} in the training data.");
            validationRead = TrainingDataReader.Read(validation, _kind, o.FeatureColumnName, o.LabelColumnName, o.ExampleWeightColumnName, classCount);
            if (validationRead.Data.FeatureCount != read.Data.FeatureCount)
                throw new ArgumentOutOfRangeException(nameof(validation),
                    $"Feature column '{o.FeatureColumnName}' has {validationRead.Data.FeatureCount} values in the validation data and {read.Data.FeatureCount} in the training data.");
        }

        int rows = read.Data.RowCount;
        int epochs = o.Epochs ?? AutomaticEpochs(rows, o.BatchSize);
        var settings = new TrainingSettings
        {
            Loss = Loss,
            HiddenLayers = o.HiddenLayers is { } hidden ? (int[])hidden.Clone() : AutomaticHiddenLayers(rows),
            Activation = o.Activation,
            Epochs = epochs,
            BatchSize = o.BatchSize,
            LearningRate = o.LearningRate,
            Optimizer = o.Optimizer,
            Momentum = o.Momentum,
            Nesterov = o.UseNesterovMomentum,
            L2Regularization = o.L2Regularization,
            DropoutRate = o.DropoutRate,
            ValidationFraction = o.EarlyStoppingRounds > 0 ? o.ValidationFraction : 0f,
            EarlyStoppingPatience = o.EarlyStoppingRounds,
            Seed = _seed,
            Threads = o.NumberOfThreads,
        };
        int outputs = _kind == PredictionKind.MulticlassClassification ? classCount : 1;

        using IChannel? channel = _host?.Start("Training");
        int[] sizes = [read.Data.FeatureCount, .. settings.HiddenLayers, outputs];
        channel?.Info(MessageSensitivity.None,
            $"FeedForward {_kind}: {string.Join("-", sizes)} {o.Activation} network, {rows} rows, {epochs} epochs of batch {o.BatchSize}, " +
            $"{o.Optimizer} lr {o.LearningRate}, seed {_seed}, {KernelDescription(settings)}.");
        if (read.SkippedRows > 0)
            channel?.Warning(MessageSensitivity.None, $"Skipped {read.SkippedRows} rows with a missing value in label column '{o.LabelColumnName}'.");

        var clock = Stopwatch.StartNew();
        var trainer = new NetworkTrainer(settings);
        static string KernelDescription(TrainingSettings s) => $"{Kernels.DenseKernels.Default.Name} kernels on up to {s.Threads ?? Environment.ProcessorCount} threads";
        Func<bool>? isCanceled = _host is null ? null : CatalogEnvironment.IsCanceled(_host);
        if (validationRead is not null)
            channel?.Info(MessageSensitivity.None, $"Validation data: {validationRead.Data.RowCount} rows; no training rows are held out.");
        var network = trainer.Train(read.Data, outputs, isCanceled: isCanceled, validation: validationRead?.Data, progress: report => channel?.Info(MessageSensitivity.None,
            $"Epoch {report.Epoch}/{report.Epochs}: loss {report.Loss:G5}" +
            (report.ValidationLoss is double v ? $", validation loss {v:G5}" : "") + $" ({report.Elapsed.TotalSeconds:F3} s)"));
        string heldOut = validationRead is null ? $"{o.ValidationFraction * 100:0.#}% held-out rows" : "validation data";
        string stopped = trainer.History.Count < epochs
            ? $"stopped early after epoch {trainer.History.Count}; kept epoch {trainer.BestEpoch}, the best on the {heldOut}"
            : trainer.BestEpoch < epochs ? $"kept epoch {trainer.BestEpoch}, the best on the {heldOut}" : $"final loss {trainer.History[^1].Loss:G5}";
        channel?.Info(MessageSensitivity.None, $"FeedForward training finished in {clock.Elapsed.TotalSeconds:F2} s; {stopped}.");

        ClassLabels? labels = _kind == PredictionKind.MulticlassClassification
            ? ClassLabels.FromLabelColumn(input.Schema[o.LabelColumnName], classCount)
            : null;
        var model = new FeedForwardModelParameters(_kind, network, labels, trainer.History.Select(h => h.Loss).ToArray(), o.NumberOfThreads);
        return new FeedForwardPredictionTransformer(model, o.FeatureColumnName);
    }

    /// <summary>The input columns plus the output columns this trainer's transformer will add.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        TOptions o = TrainerOptions;
        SchemaShapeColumns.CheckFeature(inputSchema, o.FeatureColumnName);
        SchemaShape.Column label = SchemaShapeColumns.CheckLabel(inputSchema, o.LabelColumnName, _kind);
        if (o.ExampleWeightColumnName is not null) SchemaShapeColumns.CheckWeight(inputSchema, o.ExampleWeightColumnName);
        return SchemaShapeColumns.WithOutputs(inputSchema, _kind, label);
    }

    private int ClassCount(DataViewSchema schema)
    {
        if (_kind != PredictionKind.MulticlassClassification) return 2;
        DataViewSchema.Column label = LabelColumn.Check(schema, TrainerOptions.LabelColumnName, _kind);
        int count = (int)((KeyDataViewType)label.Type).Count;
        if (count < 2)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Label column '{label.Name}' has {count} class; multiclass classification needs at least 2.");
        return count;
    }

    private void CheckClasses(TrainingDataReader.Result read)
    {
        if (_kind != PredictionKind.BinaryClassification) return;
        int negatives = read.RowsPerClass[0], positives = read.RowsPerClass[1];
        if (negatives == 0 || positives == 0)
            throw new InvalidOperationException(
                $"Label column '{TrainerOptions.LabelColumnName}' is {(positives == 0 ? "false" : "true")} in all {read.Data.RowCount} training rows; " +
                "binary classification needs examples of both classes.");
    }

    /// <summary>The sizing rule: one layer under 1K rows, two up to 100K, four beyond.</summary>
    private static int[] AutomaticHiddenLayers(int rows) => rows switch
    {
        < 1_000 => [64],
        < 100_000 => [128, 64],
        _ => [256, 128, 64, 32],
    };

    private static int AutomaticEpochs(int rows, int batchSize)
    {
        int batchesPerEpoch = (rows + batchSize - 1) / batchSize;
        return Math.Clamp((AutomaticEpochSteps + batchesPerEpoch - 1) / batchesPerEpoch, MinAutomaticEpochs, MaxAutomaticEpochs);
    }

    private static void Validate(FeedForwardOptions o)
    {
        ArgumentException.ThrowIfNullOrEmpty(o.LabelColumnName, nameof(o.LabelColumnName));
        ArgumentException.ThrowIfNullOrEmpty(o.FeatureColumnName, nameof(o.FeatureColumnName));
        if (o.ExampleWeightColumnName is "") throw new ArgumentException("Use null, not an empty name, for no weight column.", nameof(o.ExampleWeightColumnName));
        if (o.Epochs is <= 0) throw new ArgumentOutOfRangeException(nameof(o.Epochs), o.Epochs, "Epochs must be positive (or null for automatic).");
        if (o.EarlyStoppingRounds < 0) throw new ArgumentOutOfRangeException(nameof(o.EarlyStoppingRounds), o.EarlyStoppingRounds, "EarlyStoppingRounds must not be negative.");
        if (o.NumberOfThreads is <= 0) throw new ArgumentOutOfRangeException(nameof(o.NumberOfThreads), o.NumberOfThreads, "NumberOfThreads must be positive (or null for all cores).");
        new TrainingSettings
        {
            Loss = LossKind.SquaredError,
            HiddenLayers = o.HiddenLayers ?? [],
            Activation = Enum.IsDefined(o.Activation) ? o.Activation : throw new ArgumentOutOfRangeException(nameof(o.Activation), o.Activation, "Unknown activation."),
            BatchSize = o.BatchSize,
            LearningRate = o.LearningRate,
            Optimizer = Enum.IsDefined(o.Optimizer) ? o.Optimizer : throw new ArgumentOutOfRangeException(nameof(o.Optimizer), o.Optimizer, "Unknown optimizer."),
            Momentum = o.Momentum,
            L2Regularization = o.L2Regularization,
            DropoutRate = o.DropoutRate,
            ValidationFraction = o.ValidationFraction,
        }.Validate();
    }
}
