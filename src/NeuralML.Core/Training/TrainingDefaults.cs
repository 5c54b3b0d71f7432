namespace NeuralML.Training;

/// <summary>
/// The one place the training defaults are decided: the option classes of the ML.NET trainers and
/// <see cref="TrainingSettings"/> both take their values from here, and the rules that size a network and its
/// number of epochs from the data live here too.
/// </summary>
internal static class TrainingDefaults
{
    public const Activation HiddenActivation = Activation.Relu;
    public const int BatchSize = 32;
    public const float LearningRate = 1e-3f;
    public const OptimizerKind Optimizer = OptimizerKind.Adam;
    public const float Momentum = 0.9f;
    public const float ValidationFraction = 0.1f;
    public const int EarlyStoppingRounds = 10;

    /// <summary>
    /// The memory budget of the training data when none is set: a quarter of the memory the runtime may use (the
    /// machine's, or its container's limit), and at least 64 MB.
    /// </summary>
    public static long MemoryBudgetBytes() => Math.Max(64L << 20, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4);

    /// <summary>Streaming's shuffle buffer takes this share of the budget (a half).</summary>
    public const int StreamWindowDivisor = 2;

    /// <summary>Streaming's held-out rows take at most this share of the budget (a quarter).</summary>
    public const int StreamHeldOutDivisor = 4;

    /// <summary>The learning-rate schedules' decay factor (Keras' and PyTorch's ReduceLROnPlateau default, a tenfold drop).</summary>
    public const float LearningRateDecay = 0.1f;

    /// <summary>Reduce-on-plateau's patience: half of early stopping's, so that a lower rate gets its chance first.</summary>
    public const int LearningRatePatience = 5;


    /// <summary>
    /// Automatic epochs on small data aim at about <see cref="TargetSteps"/> optimizer steps with early stopping and
    /// <see cref="SmallDataSteps"/> without (within [<see cref="MinEpochs"/>, <see cref="SmallDataMaxEpochs"/>]);
    /// on large data at <see cref="LargeDataSteps"/> (within [<see cref="MinEpochs"/>, <see cref="MaxEpochs"/>]).
    /// </summary>
    public const int TargetSteps = 2000, MinEpochs = 10, MaxEpochs = 200;

    /// <summary>
    /// The sizing rule for tabular data: one layer of 64 under 1,000 rows, [128, 64] under 3,000, [256, 128] under
    /// 100,000, four layers beyond. (Under 3,000 rows, when every choice is left to the trainer, cross-validation
    /// chooses among <see cref="SmallDataRecipes"/> instead.)
    /// </summary>
    public static int[] HiddenLayers(int rows) => rows switch
    {
        < 1_000 => [64],
        < SmallDataRows => [128, 64],
        < 100_000 => [256, 128],
        _ => [256, 128, 64, 32],
    };

    /// <summary>Epochs for the step budget of <paramref name="rows"/> rows in batches of <paramref name="batchSize"/> (see <see cref="TargetSteps"/>).</summary>
    public static int Epochs(int rows, int batchSize, bool earlyStopping = true)
    {
        long batchesPerEpoch = Math.Max(1, ((long)rows + batchSize - 1) / batchSize);
        (long steps, int maxEpochs) = !IsSmall(rows) ? (LargeDataSteps, MaxEpochs) : earlyStopping ? (TargetSteps, MaxEpochs) : (SmallDataSteps, SmallDataMaxEpochs);
        return (int)Math.Clamp((steps + batchesPerEpoch - 1) / batchesPerEpoch, MinEpochs, maxEpochs);
    }

    /// <summary>
    /// Training sets under this many rows are small: a network trains on them in a fraction of a second, so when every
    /// choice is left to the trainer, cross-validation chooses among <see cref="SmallDataRecipes"/> and the chosen
    /// recipe's networks are averaged; their strong weight decay is what keeps so few rows from being memorised.
    /// From here on one wider network trains for <see cref="LargeDataSteps"/> steps. (Measured on the quality
    /// protocol: the ensemble wins up to vehicle's 592 training rows, the single network from satellite's 4,504; no
    /// set in between pins the boundary down more closely.)
    /// </summary>
    public const int SmallDataRows = 3_000;

    /// <summary>The small-data recipe: its step budget (within <see cref="MinEpochs"/> to <see cref="SmallDataMaxEpochs"/> epochs), learning rate, weight decay and ensemble.</summary>
    public const int SmallDataSteps = 3000, SmallDataMaxEpochs = 300, SmallDataEnsembleSize = 5;

    /// <inheritdoc cref="SmallDataSteps"/>
    public const float SmallDataLearningRate = 0.01f, SmallDataWeightDecay = 1f;

    /// <summary>
    /// The large-data recipe: AdamW at this rate with a cosine schedule and this weight decay (ten times PyTorch's
    /// default: measured better on Fashion-MNIST, the same on LetterRecognition) for about <see cref="LargeDataSteps"/>
    /// steps on every row; early stopping only with validation data.
    /// </summary>
    public const float LargeDataLearningRate = 0.003f, LargeDataWeightDecay = 0.1f;

    /// <inheritdoc cref="LargeDataLearningRate"/>
    public const int LargeDataSteps = 20_000;

    public static bool IsSmall(int rows) => rows < SmallDataRows;

    /// <summary>
    /// The recipes that cross-validation chooses among on small data when none of the options they set was given: no
    /// one recipe wins on every data set (noisy targets want the small network, sharp interactions the wider one,
    /// some sets early stopping), and on small data the members of a 5-fold cross-validation cost less than a second.
    /// </summary>
    public static IReadOnlyList<Recipe> SmallDataRecipes { get; } =
    [
        new("one layer of 64, weight decay", [64], OptimizerKind.AdamW, SmallDataLearningRate, LearningRateSchedule.CosineAnnealing, SmallDataWeightDecay, 0),
        new("[128, 64], weight decay", [128, 64], OptimizerKind.AdamW, SmallDataLearningRate, LearningRateSchedule.CosineAnnealing, SmallDataWeightDecay, 0),
        new("[128, 64], early stopping", [128, 64], Optimizer, LearningRate, LearningRateSchedule.Constant, 0f, EarlyStoppingRounds),
    ];

    /// <summary>The optimizer left to the trainer, at every size: AdamW, whose decoupled weight decay is the regulariser.</summary>
    public const OptimizerKind AutomaticOptimizer = OptimizerKind.AdamW;

    /// <summary>
    /// For AdamW, <see cref="SmallDataLearningRate"/> on small data and <see cref="LargeDataLearningRate"/> beyond (the
    /// cosine schedule brings either down to 0); <see cref="LearningRate"/> for the other optimizers.
    /// </summary>
    public static float LearningRateFor(int rows, OptimizerKind optimizer)
        => optimizer != OptimizerKind.AdamW ? LearningRate : IsSmall(rows) ? SmallDataLearningRate : LargeDataLearningRate;

    /// <summary>Cosine annealing over the fixed budget (not for L-BFGS, which has no learning rate).</summary>
    public static LearningRateSchedule ScheduleFor(OptimizerKind optimizer)
        => optimizer != OptimizerKind.Lbfgs ? LearningRateSchedule.CosineAnnealing : LearningRateSchedule.Constant;

    /// <summary>AdamW's decay: <see cref="SmallDataWeightDecay"/> on small data, <see cref="LargeDataWeightDecay"/> beyond; none for the other optimizers.</summary>
    public static float WeightDecayFor(int rows, OptimizerKind optimizer) => optimizer != OptimizerKind.AdamW ? 0f : IsSmall(rows) ? SmallDataWeightDecay : LargeDataWeightDecay;

    /// <summary>
    /// Off without validation rows (every row trains for the fixed budget: on small data a hold-out is too small to
    /// judge an epoch by, on large data the cosine schedule ends training where it should); <see cref="EarlyStoppingRounds"/> with them.
    /// </summary>
    public static int EarlyStoppingRoundsFor(bool validationGiven) => validationGiven ? EarlyStoppingRounds : 0;

    /// <summary>
    /// <see cref="SmallDataEnsembleSize"/> networks for small data, where they train in a fraction of a second, when the
    /// layers are ours to choose and the data has at most <see cref="SmallDataMaxFeatures"/> features (0: not known);
    /// one beyond, and one when the user gave the layers (the model is then the network they asked for, layer for layer).
    /// </summary>
    public static int EnsembleSizeFor(int rows, bool layersGiven = false, int features = 0)
        => IsSmall(rows) && !layersGiven && features <= SmallDataMaxFeatures ? SmallDataEnsembleSize : 1;

    /// <summary>
    /// The most features for which small data gets an ensemble (and the recipe choice): 15 networks whose first layer
    /// grows with the width would cost seconds to minutes and memory to match on wide (one-hot, hashed, text) data.
    /// </summary>
    public const int SmallDataMaxFeatures = 1_000;
}

/// <summary>One way to train a network on small data: what <see cref="TrainingDefaults.SmallDataRecipes"/> chooses among.</summary>
internal sealed record Recipe(string Name, int[] HiddenLayers, OptimizerKind Optimizer, float LearningRate, LearningRateSchedule Schedule, float WeightDecay, int EarlyStoppingRounds)
{
    /// <summary>The settings with this recipe's choices (the rest of the automatic choices made by <see cref="TrainingSettings.ForRows"/>).</summary>
    public TrainingSettings Apply(TrainingSettings settings, int rows) => (settings with
    {
        HiddenLayers = HiddenLayers,
        Optimizer = Optimizer,
        LearningRate = LearningRate,
        LearningRateSchedule = Schedule,
        WeightDecay = WeightDecay,
        EarlyStoppingRounds = EarlyStoppingRounds,
    }).ForRows(rows);
}
