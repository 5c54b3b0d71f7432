namespace NeuralML.Training;

/// <summary>Everything that decides how a network is trained. Two runs with equal settings and data give the same network, bit for bit.</summary>
internal sealed record TrainingSettings
{
    public required LossKind Loss { get; init; }
    public int[] HiddenLayers { get; init; } = [128, 64];
    public Activation Activation { get; init; } = Activation.Relu;
    public int Epochs { get; init; } = 50;
    public int BatchSize { get; init; } = 32;
    public float LearningRate { get; init; } = 1e-3f;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    public float Momentum { get; init; } = 0.9f;
    public bool Nesterov { get; init; }
    public float L2Regularization { get; init; }
    public float DropoutRate { get; init; }
    public long Seed { get; init; }

    /// <summary>The most threads the kernels may use; null for all cores. Results do not depend on it.</summary>
    public int? Threads { get; init; }

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
    /// The fraction of rows held out to watch for overfitting; 0 trains on every row for all epochs. With a held-out
    /// set, training stops once the held-out loss has not improved for <see cref="EarlyStoppingPatience"/> epochs,
    /// and the network of the best epoch is returned.
    /// </summary>
    public float ValidationFraction { get; init; }

    /// <summary>Epochs without improvement of the held-out loss before training stops.</summary>
    public int EarlyStoppingPatience { get; init; } = 10;

    /// <summary>The largest mini-batch: 2^20 rows (a batch's buffers grow with it).</summary>
    public const int MaxBatchSize = 1 << 20;

    public void Validate()
    {
        if (HiddenLayers is null) throw new ArgumentNullException(nameof(HiddenLayers));
        foreach (int width in HiddenLayers)
            if (width <= 0) throw new ArgumentOutOfRangeException(nameof(HiddenLayers), width, "Every hidden layer needs at least one unit.");
        if (Epochs <= 0) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be positive.");
        if (BatchSize <= 0 || BatchSize > MaxBatchSize) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"BatchSize must be in [1, {MaxBatchSize}].");
        if (!(LearningRate > 0f) || !float.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be a positive finite number.");
        if (!(Momentum >= 0f && Momentum < 1f)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Momentum must be in [0, 1).");
        if (!(L2Regularization >= 0f) || !float.IsFinite(L2Regularization)) throw new ArgumentOutOfRangeException(nameof(L2Regularization), L2Regularization, "L2Regularization must be a non-negative finite number.");
        if (!(ValidationFraction >= 0f && ValidationFraction < 1f)) throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must be in [0, 1).");
        if (EarlyStoppingPatience < 0) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "EarlyStoppingPatience must not be negative.");
        if (!(DropoutRate >= 0f && DropoutRate < 1f)) throw new ArgumentOutOfRangeException(nameof(DropoutRate), DropoutRate, "DropoutRate must be in [0, 1).");
    }
}

/// <summary>What one epoch did: the weighted mean training loss, the held-out loss (with early stopping) and the time it took.</summary>
internal readonly record struct EpochReport(int Epoch, int Epochs, double Loss, TimeSpan Elapsed, double? ValidationLoss = null);
