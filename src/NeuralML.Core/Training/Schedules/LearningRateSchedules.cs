namespace NeuralML.Training;

/// <summary>Creates the schedule the settings name for a run of a known length.</summary>
internal static class LearningRateSchedules
{
    /// <param name="settings">The run's settings (with its epochs decided).</param>
    /// <param name="stepsPerEpoch">Optimizer steps in each epoch.</param>
    public static ILearningRateSchedule Create(TrainingSettings settings, int stepsPerEpoch)
    {
        int epochs = settings.Epochs ?? throw new ArgumentException("The run's epochs must be decided before its schedule.", nameof(settings));
        float learningRate = settings.LearningRate ?? throw new ArgumentException("The run's learning rate must be decided before its schedule.", nameof(settings));
        double rate = learningRate, decay = settings.LearningRateDecay;
        long totalSteps = (long)epochs * stepsPerEpoch;
        int decayEpochs = settings.LearningRateDecayEpochs ?? Math.Max(1, epochs / 3);
        return settings.LearningRateSchedule switch
        {
            LearningRateSchedule.Constant => new ConstantLearningRate(learningRate),
            LearningRateSchedule.StepDecay => new StepDecay(rate, decay, decayEpochs),
            LearningRateSchedule.ExponentialDecay => new ExponentialDecay(rate, decay, decayEpochs),
            LearningRateSchedule.CosineAnnealing => new CosineAnnealing(rate, totalSteps, Math.Min(totalSteps, (long)settings.LearningRateWarmupEpochs * stepsPerEpoch)),
            LearningRateSchedule.OneCycle => new OneCycle(rate, totalSteps),
            LearningRateSchedule.ReduceOnPlateau => new ReduceOnPlateau(rate, decay, settings.LearningRatePatience),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.LearningRateSchedule, "Unknown learning-rate schedule."),
        };
    }
}
