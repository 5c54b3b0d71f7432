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

    /// <summary>The learning-rate schedules' decay factor (Keras' and PyTorch's ReduceLROnPlateau default, a tenfold drop).</summary>
    public const float LearningRateDecay = 0.1f;

    /// <summary>Reduce-on-plateau's patience: half of early stopping's, so that a lower rate gets its chance first.</summary>
    public const int LearningRatePatience = 5;

    /// <summary>AdamW's decoupled weight decay when none is given (PyTorch's default).</summary>
    public const float AdamWWeightDecay = 0.01f;

    /// <summary>Automatic epochs aim at about this many optimizer steps, within [<see cref="MinEpochs"/>, <see cref="MaxEpochs"/>].</summary>
    public const int TargetSteps = 2000, MinEpochs = 10, MaxEpochs = 200;

    /// <summary>The sizing rule for tabular data: one layer of 64 under 1,000 rows, [128, 64] up to 100,000, four layers beyond.</summary>
    public static int[] HiddenLayers(int rows) => rows switch
    {
        < 1_000 => [64],
        < 100_000 => [128, 64],
        _ => [256, 128, 64, 32],
    };

    /// <summary>Epochs that give about <see cref="TargetSteps"/> optimizer steps, clamped to [<see cref="MinEpochs"/>, <see cref="MaxEpochs"/>].</summary>
    public static int Epochs(int rows, int batchSize)
    {
        long batchesPerEpoch = Math.Max(1, ((long)rows + batchSize - 1) / batchSize);
        return (int)Math.Clamp((TargetSteps + batchesPerEpoch - 1) / batchesPerEpoch, MinEpochs, MaxEpochs);
    }
}
