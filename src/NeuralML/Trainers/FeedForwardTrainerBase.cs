using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using NeuralML.Bridge;
using NeuralML.Columns;
using NeuralML.Reading;
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
    private readonly IHost? _host;
    private readonly TaskColumns _columns;
    private readonly int _seed;

    private protected FeedForwardTrainerBase(IHostEnvironment? environment, TOptions options, PredictionKind kind)
    {
        ArgumentNullException.ThrowIfNull(options);
        TrainerOptions = options;
        _columns = TaskColumns.For(kind);
        _host = environment?.Register("FeedForward");
        // A model trained here can be saved and loaded back in this context without further set-up.
        if (environment is not null) FeedForwardPredictionTransformer.RegisterLoader(environment.ComponentCatalog);
        // Drawn once, here, so that fitting this estimator twice gives the same model, as with an explicit seed.
        _seed = options.Seed ?? _host?.Rand.Next() ?? 0;
        options.ToSettings(Loss, _seed);
    }

    /// <summary>The options this trainer was created with.</summary>
    public TOptions TrainerOptions { get; }

    /// <summary>The seed this trainer uses: <see cref="FeedForwardOptions.Seed"/>, or one drawn from the MLContext.</summary>
    public int Seed => _seed;

    private protected abstract LossKind Loss { get; }

    private PredictionKind Kind => _columns.Kind;

    /// <summary>Trains a network on <paramref name="input"/> and returns the transformer that scores with it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type, or an option is out of range.</exception>
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
    /// <exception cref="ArgumentOutOfRangeException">A column of either data view is missing or of the wrong type, or an option is out of range.</exception>
    /// <exception cref="InvalidOperationException">The data cannot be trained on, or training diverged.</exception>
    public FeedForwardPredictionTransformer Fit(IDataView trainData, IDataView validationData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        ArgumentNullException.ThrowIfNull(validationData);
        return FitCore(trainData, validation: validationData);
    }

    /// <summary>
    /// Continues training <paramref name="initialModel"/> on <paramref name="trainData"/>: ML.NET's warm-start idiom
    /// (<c>Fit(trainData, modelParameters)</c>). The network's layers and activation are the initial model's (the
    /// options' <see cref="FeedForwardOptions.HiddenLayers"/>, if set, must agree); every other option applies as in
    /// <see cref="Fit(IDataView)"/>, the optimizer's state starts afresh, and the training history continues the
    /// initial model's. The initial model is not changed.
    /// </summary>
    /// <exception cref="ArgumentException">The initial model was trained for another task, another feature width, other classes or other hidden layers.</exception>
    public FeedForwardPredictionTransformer Fit(IDataView trainData, FeedForwardModelParameters initialModel)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        ArgumentNullException.ThrowIfNull(initialModel);
        return FitCore(trainData, validation: null, initialModel);
    }

    private FeedForwardPredictionTransformer FitCore(IDataView input, IDataView? validation, FeedForwardModelParameters? initial = null)
    {
        TOptions o = TrainerOptions;
        TrainingSettings settings = o.ToSettings(Loss, _seed);
        if (initial is not null) settings = ContinuedSettings(settings, initial, input.Schema);
        int classCount = ClassCount(input.Schema);
        // Cancellation is observed while the data is read too, not only during the epochs.
        var cancellation = new TrainingCancellation(o.CancellationToken, _host is null ? null : MLNetInternals.IsCanceled(_host));
        long readingStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        TrainingColumns columns = TrainingColumns.Check(input.Schema, _columns, o.FeatureColumnName, o.LabelColumnName, o.ExampleWeightColumnName);
        long budget = o.MemoryBudgetMegabytes is int megabytes ? (long)megabytes << 20 : TrainingDefaults.MemoryBudgetBytes();
        TrainingDataReader.Result? validationRead = validation is null ? null : ReadValidation(validation, columns, classCount, cancellation);
        // Continued training holds its data in memory, whatever its size.
        TrainingDataReader.Result read = TrainingDataReader.Read(input, _columns, columns, classCount, initial is null ? budget : long.MaxValue, cancellation);
        if (read.Data is null) return FitStreamed(input, validationRead, columns, classCount, budget, settings, cancellation, readingStarted);
        CheckClasses(read.RowsPerClass, read.Set.RowCount);
        ClassLabels? labels = Kind == PredictionKind.MulticlassClassification
            ? ClassLabels.FromLabelColumn(input.Schema[o.LabelColumnName], classCount)
            : null;
        InMemoryTrainingSet trainingRows = WeightClasses(read.Set, labels, classCount);

        // The trainer makes the automatic choices itself (cross-validation may choose among recipes); the log shows the defaults' choices.
        TrainingSettings resolved = settings.ForRows(read.Set.RowCount, validationGiven: validationRead is not null, read.Set.FeatureCount);
        bool choosesRecipe = initial is null && settings.ChoosesRecipe(read.Set.RowCount, validationRead is not null, read.Set.FeatureCount);
        int outputs = Kind == PredictionKind.MulticlassClassification ? classCount : 1;
        using IChannel? channel = _host?.Start("Training");
        var log = new TrainingLog(channel, Kind, resolved, choosesRecipe);
        log.Started(read.Set.RowCount, read.Set.FeatureCount, read.SkippedRows, validationRead?.Set.RowCount, o.LabelColumnName, outputs,
            System.Diagnostics.Stopwatch.GetElapsedTime(readingStarted));
        IReadOnlyList<FeedForwardEpoch> earlier = initial?.TrainingHistory.Epochs ?? [];
        TrainingResult result = new NetworkTrainer(settings).Train(trainingRows, outputs, validationRead?.Set, ProgressFor(log, earlier.Count),
            cancellation, initial?.Network);
        return Finish(log, result, earlier, labels, validationRead is not null);
    }

    /// <summary>
    /// Training on a view that does not fit the memory budget: one pass per epoch (<see cref="StreamedTrainingData"/>)
    /// through a shuffle buffer of half the budget, with at most a quarter of it held out for early stopping.
    /// </summary>
    private FeedForwardPredictionTransformer FitStreamed(IDataView input, TrainingDataReader.Result? validationRead, TrainingColumns columns, int classCount,
        long budget, TrainingSettings settings, TrainingCancellation cancellation, long readingStarted)
    {
        TOptions o = TrainerOptions;
        if (o is FeedForwardClassificationOptions { ClassWeights: { } weights } && weights != ClassWeights.None)
            throw new InvalidOperationException(
                $"ClassWeights {weights} needs the training rows in memory, and they do not fit MemoryBudgetMegabytes ({budget >> 20} MB): raise the budget, or weight the rows with a weight column instead.");
        ClassLabels? labels = Kind == PredictionKind.MulticlassClassification ? ClassLabels.FromLabelColumn(input.Schema[o.LabelColumnName], classCount) : null;
        int outputs = Kind == PredictionKind.MulticlassClassification ? classCount : 1;
        var stream = new StreamedTrainingData(input, _columns, columns, classCount, cancellation);
        long rowBytes = TrainingDataReader.RowBytes(columns.FeatureCount, columns.Weight is not null);
        // The shuffle buffer's two halves hold whole batches, so that only an epoch's last batch is short.
        int pair = 2 * settings.BatchSize;
        int windowRows = (int)Math.Clamp(budget / TrainingDefaults.StreamWindowDivisor / rowBytes / pair * pair, pair, Array.MaxLength / Math.Max(columns.FeatureCount, 1));
        int heldOutCapacity = (int)Math.Min(budget / TrainingDefaults.StreamHeldOutDivisor / rowBytes, int.MaxValue);
        using IChannel? channel = _host?.Start("Training");
        TrainingLog? log = null;
        void Surveyed(StreamSurvey survey, TrainingSettings resolved)
        {
            CheckClasses(stream.RowsPerClass, survey.Rows);
            log = new TrainingLog(channel, Kind, resolved);
            string order = input.CanShuffle ? "in an order the view draws from the seed each epoch" : "in storage order (the view cannot shuffle)";
            log.Started(survey.TrainingRows, columns.FeatureCount, stream.SkippedRows, validationRead?.Set.RowCount, o.LabelColumnName, outputs,
                System.Diagnostics.Stopwatch.GetElapsedTime(readingStarted),
                $"Streaming: {survey.Rows:N0} rows need about {survey.Rows * rowBytes >> 20:N0} MB, over the memory budget of {budget >> 20:N0} MB; " +
                $"every epoch reads the view once, {order}, through a shuffle buffer of {windowRows:N0} rows in two halves (one read while the other trains)" +
                (survey.HeldOut is { } heldOut ? $"; {heldOut.RowCount:N0} rows are held out for early stopping." : "."));
        }
        bool Progress(EpochReport report)
        {
            log!.Epoch(report);
            return o.Progress?.Invoke(ToEpoch(report, 0)) ?? true;
        }
        TrainingResult result = new NetworkTrainer(settings).Train(stream, outputs, windowRows, heldOutCapacity, validationRead?.Set, Surveyed, Progress, cancellation);
        return Finish(log!, result, [], labels, validationRead is not null);
    }

    /// <summary>An epoch's report as users see it; a continued run's epochs follow the initial model's.</summary>
    private static FeedForwardEpoch ToEpoch(EpochReport r, int earlier)
        => new(earlier + r.Epoch, r.Loss, r.ValidationLoss, r.ValidationMetric, r.LearningRate, r.Elapsed) { Member = r.Member };

    private Func<EpochReport, bool> ProgressFor(TrainingLog log, int earlier)
    {
        Func<FeedForwardEpoch, bool>? userProgress = TrainerOptions.Progress;
        return report =>
        {
            log.Epoch(report);
            return userProgress?.Invoke(ToEpoch(report, earlier)) ?? true;
        };
    }

    private FeedForwardPredictionTransformer Finish(TrainingLog log, TrainingResult result, IReadOnlyList<FeedForwardEpoch> earlier, ClassLabels? labels, bool validationData)
    {
        log.Finished(result, validationData);
        var history = new FeedForwardTrainingHistory([.. earlier, .. result.History.Select(r => ToEpoch(r, earlier.Count))], earlier.Count + result.BestEpoch,
            result.ValidationMetric, result.Diagnosis.Text);
        var model = new FeedForwardModelParameters(Kind, result.Network, labels, history)
        {
            NumberOfThreads = TrainerOptions.NumberOfThreads,
        };
        return new FeedForwardPredictionTransformer(model, TrainerOptions.FeatureColumnName);
    }

    /// <summary>Reads the validation data in memory (whatever the budget), checked against the training data's classes and width.</summary>
    private TrainingDataReader.Result ReadValidation(IDataView validation, TrainingColumns training, int classCount, TrainingCancellation cancellation)
    {
        TOptions o = TrainerOptions;
        if (Kind == PredictionKind.MulticlassClassification && ClassCount(validation.Schema) != classCount)
            throw new ArgumentOutOfRangeException(nameof(validation),
                $"Label column '{o.LabelColumnName}' has {ClassCount(validation.Schema)} classes in the validation data and {classCount} in the training data.");
        TrainingColumns columns = TrainingColumns.Check(validation.Schema, _columns, o.FeatureColumnName, o.LabelColumnName, o.ExampleWeightColumnName);
        if (columns.FeatureCount != training.FeatureCount)
            throw new ArgumentOutOfRangeException(nameof(validation),
                $"Feature column '{o.FeatureColumnName}' has {columns.FeatureCount} values in the validation data and {training.FeatureCount} in the training data.");
        return TrainingDataReader.Read(validation, _columns, columns, classCount, cancellation: cancellation);
    }

    /// <summary>The settings of a run that continues <paramref name="initial"/>: its layers and activation, after checking it fits the data and the options.</summary>
    private TrainingSettings ContinuedSettings(TrainingSettings settings, FeedForwardModelParameters initial, DataViewSchema schema)
    {
        TOptions o = TrainerOptions;
        if (initial.Kind != Kind)
            throw new ArgumentException($"The initial model was trained for {initial.Kind}; this trainer trains {Kind}.", nameof(initial));
        int width = ((VectorDataViewType)ColumnChecks.CheckFeature(schema, o.FeatureColumnName).Type).Size;
        if (width != initial.Network.InputCount)
            throw new ArgumentException($"Feature column '{o.FeatureColumnName}' has {width} values; the initial model reads {initial.Network.InputCount}.", nameof(initial));
        if (Kind == PredictionKind.MulticlassClassification && ClassCount(schema) != initial.Network.OutputCount)
            throw new ArgumentException($"Label column '{o.LabelColumnName}' has {ClassCount(schema)} classes; the initial model has {initial.Network.OutputCount}.", nameof(initial));
        if (o.BatchNormalization)
            throw new ArgumentException("BatchNormalization cannot be added to a trained model: turn it off to continue training (the initial model's normalisation, if it had one, is already folded into its weights).", nameof(initial));
        int[] hidden = initial.LayerSizes.Skip(1).SkipLast(1).ToArray();
        if (o.HiddenLayers is { } asked && !asked.SequenceEqual(hidden))
            throw new ArgumentException($"HiddenLayers is [{string.Join(", ", asked)}]; the initial model's are [{string.Join(", ", hidden)}]. Leave HiddenLayers null to continue it.", nameof(initial));
        if (o.EnsembleSize is > 1)
            throw new ArgumentException($"EnsembleSize is {o.EnsembleSize}; continued training trains the one network it is given. Leave EnsembleSize null (or 1) to continue it.", nameof(initial));
        return settings with { HiddenLayers = hidden, Activation = initial.Network.Layers[0].Activation, EnsembleSize = 1 };
    }

    /// <summary>The input columns plus the output columns this trainer's transformer will add.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        TOptions o = TrainerOptions;
        ColumnChecks.CheckFeature(inputSchema, o.FeatureColumnName);
        SchemaShape.Column label = _columns.CheckLabel(inputSchema, o.LabelColumnName);
        if (o.ExampleWeightColumnName is not null) ColumnChecks.CheckWeight(inputSchema, o.ExampleWeightColumnName);
        return _columns.AppendOutputs(inputSchema, label);
    }

    private int ClassCount(DataViewSchema schema)
    {
        if (Kind != PredictionKind.MulticlassClassification) return 2;
        DataViewSchema.Column label = _columns.CheckLabel(schema, TrainerOptions.LabelColumnName);
        int count = (int)((KeyDataViewType)label.Type).Count;
        if (count < 2)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Label column '{label.Name}' has {count} class; multiclass classification needs at least 2.");
        return count;
    }

    /// <summary>The training rows weighted by the options' class weights (the rows themselves when every class weighs 1).</summary>
    private InMemoryTrainingSet WeightClasses(InMemoryTrainingSet data, ClassLabels? labels, int classCount)
    {
        if (TrainerOptions is not FeedForwardClassificationOptions { ClassWeights: { } weights } || weights == ClassWeights.None) return data;
        (IReadOnlyList<string>? names, StringComparer comparer) = Kind == PredictionKind.BinaryClassification
            ? (["false", "true"], StringComparer.OrdinalIgnoreCase)
            : (labels?.Names, StringComparer.Ordinal);
        float[]? perClass = ClassWeighting.PerClass(weights, data, names, classCount, comparer, TrainerOptions.LabelColumnName);
        return perClass is null ? data : ClassWeighting.Apply(data, perClass, TrainerOptions.LabelColumnName);
    }

    private void CheckClasses(int[] rowsPerClass, long rows)
    {
        if (Kind != PredictionKind.BinaryClassification) return;
        int negatives = rowsPerClass[0], positives = rowsPerClass[1];
        if (negatives != 0 && positives != 0) return;
        string value = positives == 0 ? "false" : "true";
        // Rows of weight 0 do not count: name them, so that the message is true of the data as the user sees it.
        long weighted = negatives + positives;
        throw new InvalidOperationException(weighted == rows
            ? $"Label column '{TrainerOptions.LabelColumnName}' is {value} in all {rows} training rows; binary classification needs examples of both classes."
            : $"Label column '{TrainerOptions.LabelColumnName}' is {value} in all {weighted} training rows with a positive weight in weight column " +
              $"'{TrainerOptions.ExampleWeightColumnName}' ({rows - weighted} of the {rows} rows have weight 0 and do not count); binary classification needs examples of both classes with a positive weight.");
    }
}
