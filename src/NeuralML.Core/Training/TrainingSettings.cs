namespace NeuralML.Training;

/// <summary>
/// Everything that decides how a network is trained; the names are those of the ML.NET trainers' options, and the
/// defaults come from <see cref="TrainingDefaults"/>. Two runs with equal settings and data give the same network,
/// bit for bit, at any thread count.
/// </summary>
internal sealed record TrainingSettings
{
    /// <summary>The largest mini-batch: 2^20 rows (a batch's buffers grow with it).</summary>
    public const int MaxBatchSize = 1 << 20;

    /// <summary>The most networks an ensemble may average (its folded layers grow with it).</summary>
    public const int MaxEnsembleSize = 64;

    public required LossKind Loss { get; init; }

    /// <summary>Hidden layer widths; null to choose them from the number of rows (<see cref="TrainingDefaults.HiddenLayers"/>).</summary>
    public int[]? HiddenLayers { get; init; }

    public Activation Activation { get; init; } = TrainingDefaults.HiddenActivation;

    /// <summary>Passes over the data; null to choose from the number of rows (<see cref="TrainingDefaults.Epochs"/>).</summary>
    public int? Epochs { get; init; }

    public int BatchSize { get; init; } = TrainingDefaults.BatchSize;

    /// <summary>The step size; null to choose it from the number of rows (<see cref="TrainingDefaults.LearningRateFor"/>).</summary>
    public float? LearningRate { get; init; } = TrainingDefaults.LearningRate;

    /// <summary>How the rate changes during training; null to choose from the optimizer (<see cref="TrainingDefaults.ScheduleFor"/>).</summary>
    public LearningRateSchedule? LearningRateSchedule { get; init; } = NeuralML.LearningRateSchedule.Constant;

    /// <summary>The factor of <see cref="LearningRateSchedule.StepDecay"/>, <see cref="LearningRateSchedule.ExponentialDecay"/> and <see cref="LearningRateSchedule.ReduceOnPlateau"/>.</summary>
    public float LearningRateDecay { get; init; } = TrainingDefaults.LearningRateDecay;

    /// <summary>Epochs per decay by <see cref="LearningRateDecay"/>; null for a third of the epochs.</summary>
    public int? LearningRateDecayEpochs { get; init; }

    /// <summary>The warm-up epochs of <see cref="LearningRateSchedule.CosineAnnealing"/>.</summary>
    public int LearningRateWarmupEpochs { get; init; }

    /// <summary>Epochs without improvement before <see cref="LearningRateSchedule.ReduceOnPlateau"/> lowers the rate.</summary>
    public int LearningRatePatience { get; init; } = TrainingDefaults.LearningRatePatience;

    /// <summary>The optimizer; null for <see cref="TrainingDefaults.AutomaticOptimizer"/>.</summary>
    public OptimizerKind? Optimizer { get; init; } = TrainingDefaults.Optimizer;

    public float Momentum { get; init; } = TrainingDefaults.Momentum;
    public bool UseNesterovMomentum { get; init; }
    public float L2Regularization { get; init; }

    /// <summary>λ₁ of the L1 penalty on the weights: λ₁·sign(w) is added to each weight's gradient.</summary>
    public float L1Regularization { get; init; }

    /// <summary>
    /// Decoupled weight decay λ: every weight is multiplied by 1 − η·λ before each update (AdamW's rule); null to choose
    /// it from the optimizer and the number of rows (<see cref="TrainingDefaults.WeightDecayFor"/>).
    /// </summary>
    public float? WeightDecay { get; init; } = 0f;

    /// <summary>The largest 2-norm the whole gradient may have; a larger one is scaled down to it. Null: no clipping.</summary>
    public float? GradientClipNorm { get; init; }

    /// <summary>Label smoothing ε for the classification losses (<see cref="LossHead.Create"/>).</summary>
    public float LabelSmoothing { get; init; }

    public float DropoutRate { get; init; }

    /// <summary>Batch normalisation after each hidden dense layer, before its activation (<see cref="Network.BatchNormalization"/>), folded into the layer when training ends.</summary>
    public bool BatchNormalization { get; init; }

    /// <summary>
    /// The fraction of rows held out to watch for overfitting, when <see cref="EarlyStoppingRounds"/> is positive and
    /// no validation set is given; with early stopping off, every row trains. Training stops once the held-out loss
    /// has not improved for <see cref="EarlyStoppingRounds"/> epochs, and the network of the best epoch is returned.
    /// </summary>
    public float ValidationFraction { get; init; } = TrainingDefaults.ValidationFraction;

    /// <summary>
    /// Epochs without improvement of the held-out loss before training stops; 0 turns early stopping off; null to
    /// choose from whether validation rows are given (<see cref="TrainingDefaults.EarlyStoppingRoundsFor"/>).
    /// </summary>
    public int? EarlyStoppingRounds { get; init; } = TrainingDefaults.EarlyStoppingRounds;

    /// <summary>How many networks to train from different seeds and average (folded into one network); null to choose from the number of rows and whether the layers were given (<see cref="TrainingDefaults.EnsembleSizeFor"/>).</summary>
    public int? EnsembleSize { get; init; } = 1;

    public long Seed { get; init; }

    /// <summary>The most threads the kernels may use; null for all cores. Results do not depend on it.</summary>
    public int? NumberOfThreads { get; init; }

    /// <summary>
    /// Regression only: train on standardised targets (y − mean)/std and fold the scale back into the output layer
    /// afterwards, so that the defaults work whatever the unit of the label.
    /// </summary>
    public bool StandardizeTargets { get; init; } = true;

    /// <summary>
    /// Train on standardised features (x − mean)/std, computed over the training rows, and fold the transform into the
    /// first layer afterwards: the trained network reads raw features, and training does not depend on whether (or how)
    /// the pipeline normalised them. ML.NET's normalisers keep zero fixed by default and so do not centre the data.
    /// </summary>
    public bool StandardizeFeatures { get; init; } = true;

    /// <summary>
    /// These settings with every automatic choice (each null setting) made for <paramref name="rows"/> training rows, by
    /// the rules of <see cref="TrainingDefaults"/>; <paramref name="validationGiven"/> says whether validation rows come
    /// with the training rows, <paramref name="features"/> how many features a row has (0: not known). Choices already made stay.
    /// </summary>
    public TrainingSettings ForRows(int rows, bool validationGiven = false, int features = 0)
    {
        OptimizerKind optimizer = Optimizer ?? TrainingDefaults.AutomaticOptimizer;
        int earlyStoppingRounds = EarlyStoppingRounds ?? TrainingDefaults.EarlyStoppingRoundsFor(validationGiven);
        return this with
        {
            HiddenLayers = HiddenLayers ?? TrainingDefaults.HiddenLayers(rows),
            Optimizer = optimizer,
            LearningRate = LearningRate ?? TrainingDefaults.LearningRateFor(rows, optimizer),
            LearningRateSchedule = LearningRateSchedule ?? TrainingDefaults.ScheduleFor(optimizer),
            WeightDecay = WeightDecay ?? TrainingDefaults.WeightDecayFor(rows, optimizer),
            EarlyStoppingRounds = earlyStoppingRounds,
            EnsembleSize = EnsembleSize ?? TrainingDefaults.EnsembleSizeFor(rows, HiddenLayers is not null, features),
            Epochs = Epochs ?? TrainingDefaults.Epochs(rows, optimizer == OptimizerKind.Lbfgs ? rows : BatchSize, earlyStoppingRounds > 0),
        };
    }

    /// <summary>
    /// Whether cross-validation chooses the recipe (<see cref="TrainingDefaults.SmallDataRecipes"/>): on small data,
    /// without validation rows, with at most <see cref="TrainingDefaults.SmallDataMaxFeatures"/> features, when none of
    /// the settings a recipe decides was given and the ensemble (whose members are the folds' networks) has at least two members.
    /// </summary>
    public bool ChoosesRecipe(int rows, bool validationGiven, int features = 0) =>
        TrainingDefaults.IsSmall(rows) && !validationGiven && features <= TrainingDefaults.SmallDataMaxFeatures && EnsembleSize is null or >= 2
        && HiddenLayers is null && Optimizer is null && LearningRate is null && LearningRateSchedule is null && WeightDecay is null
        && EarlyStoppingRounds is null && Epochs is null && rows >= (EnsembleSize ?? TrainingDefaults.SmallDataEnsembleSize) * 2;

    /// <summary>L-BFGS minimises one fixed function of the parameters with its own step lengths: what changes the function from step to step, or the step itself, does not combine with it.</summary>
    private void ValidateLbfgs()
    {
        const string Why = "L-BFGS minimises one fixed objective with its own line search";
        if (DropoutRate > 0f) throw new ArgumentOutOfRangeException(nameof(DropoutRate), DropoutRate, $"{Why}; dropout changes the network at every evaluation. Use L2Regularization instead, or another optimizer.");
        if (LearningRateSchedule is { } schedule && schedule != NeuralML.LearningRateSchedule.Constant) throw new ArgumentOutOfRangeException(nameof(LearningRateSchedule), LearningRateSchedule, $"{Why} and no learning rate; remove the schedule or choose another optimizer.");
        if (GradientClipNorm is not null) throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), GradientClipNorm, $"{Why}; a clipped gradient is not the gradient of that objective. Remove GradientClipNorm.");
        if (WeightDecay > 0f) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, $"{Why}; decoupled weight decay acts outside the objective. Use L2Regularization instead.");
        if (BatchNormalization) throw new ArgumentOutOfRangeException(nameof(BatchNormalization), BatchNormalization, $"{Why}; batch normalisation's statistics come from mini-batches. Use another optimizer.");
    }

    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the parameter name is the setting's (and the option's).</exception>
    public void Validate()
    {
        if (HiddenLayers is not null)
            foreach (int width in HiddenLayers)
                if (width <= 0) throw new ArgumentOutOfRangeException(nameof(HiddenLayers), width, "Every hidden layer needs at least one unit.");
        if (!Enum.IsDefined(Activation)) throw new ArgumentOutOfRangeException(nameof(Activation), Activation, "Unknown activation.");
        if (Optimizer is { } optimizer && !Enum.IsDefined(optimizer)) throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, "Unknown optimizer.");
        if (Epochs is <= 0) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be positive (or null for automatic).");
        if (BatchSize <= 0 || BatchSize > MaxBatchSize) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"BatchSize must be in [1, {MaxBatchSize}].");
        if (LearningRate is float rate && (!(rate > 0f) || !float.IsFinite(rate))) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be a positive finite number.");
        if (LearningRateSchedule is { } schedule && !Enum.IsDefined(schedule)) throw new ArgumentOutOfRangeException(nameof(LearningRateSchedule), LearningRateSchedule, "Unknown learning-rate schedule.");
        if (!(LearningRateDecay > 0f && LearningRateDecay < 1f)) throw new ArgumentOutOfRangeException(nameof(LearningRateDecay), LearningRateDecay, "LearningRateDecay must be in (0, 1).");
        if (LearningRateDecayEpochs is <= 0) throw new ArgumentOutOfRangeException(nameof(LearningRateDecayEpochs), LearningRateDecayEpochs, "LearningRateDecayEpochs must be positive (or null for a third of the epochs).");
        if (LearningRateWarmupEpochs < 0) throw new ArgumentOutOfRangeException(nameof(LearningRateWarmupEpochs), LearningRateWarmupEpochs, "LearningRateWarmupEpochs must not be negative.");
        if (LearningRatePatience <= 0) throw new ArgumentOutOfRangeException(nameof(LearningRatePatience), LearningRatePatience, "LearningRatePatience must be positive.");
        if (!(Momentum >= 0f && Momentum < 1f)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Momentum must be in [0, 1).");
        if (!(L2Regularization >= 0f) || !float.IsFinite(L2Regularization)) throw new ArgumentOutOfRangeException(nameof(L2Regularization), L2Regularization, "L2Regularization must be a non-negative finite number.");
        if (!(ValidationFraction >= 0f && ValidationFraction < 1f)) throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must be in [0, 1).");
        if (EarlyStoppingRounds is < 0) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingRounds), EarlyStoppingRounds, "EarlyStoppingRounds must not be negative.");
        if (!(DropoutRate >= 0f && DropoutRate < 1f)) throw new ArgumentOutOfRangeException(nameof(DropoutRate), DropoutRate, "DropoutRate must be in [0, 1).");
        if (!(L1Regularization >= 0f) || !float.IsFinite(L1Regularization)) throw new ArgumentOutOfRangeException(nameof(L1Regularization), L1Regularization, "L1Regularization must be a non-negative finite number.");
        if (WeightDecay is float decay && (!(decay >= 0f) || !float.IsFinite(decay))) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "WeightDecay must be a non-negative finite number.");
        if (GradientClipNorm is float clip && !(clip > 0f && float.IsFinite(clip))) throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), GradientClipNorm, "GradientClipNorm must be a positive finite number (or null for no clipping).");
        if (!(LabelSmoothing >= 0f && LabelSmoothing < 1f)) throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), LabelSmoothing, "LabelSmoothing must be in [0, 1).");
        if (LabelSmoothing > 0f && Loss is not (LossKind.BinaryCrossEntropy or LossKind.SparseCategoricalCrossEntropy or LossKind.CategoricalCrossEntropy))
            throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), LabelSmoothing, "LabelSmoothing applies to classification only.");
        if (EnsembleSize is <= 0 or > MaxEnsembleSize) throw new ArgumentOutOfRangeException(nameof(EnsembleSize), EnsembleSize, $"EnsembleSize must be in [1, {MaxEnsembleSize}] (or null for automatic).");
        if (Optimizer == OptimizerKind.Lbfgs) ValidateLbfgs();
        if (NumberOfThreads is <= 0) throw new ArgumentOutOfRangeException(nameof(NumberOfThreads), NumberOfThreads, "NumberOfThreads must be positive (or null for all cores).");
    }
}
