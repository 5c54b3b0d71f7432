namespace NeuralML.Training;

/// <summary>
/// The learning rate of each optimizer step. The epoch loop asks before every step and tells the schedule each
/// epoch's report, so that step-wise schedules (warm-up, cosine, one-cycle) and epoch-wise ones (step decay,
/// reduce-on-plateau watching the validation loss) plug in here.
/// </summary>
internal interface ILearningRateSchedule
{
    /// <summary>The rate of step <paramref name="step"/> (0-based, counted over the whole run) in epoch <paramref name="epoch"/> (1-based).</summary>
    float RateAt(int epoch, long step);

    /// <summary>Called after each epoch with its report.</summary>
    void EpochEnded(EpochReport report)
    {
    }
}

/// <summary>The same rate for every step.</summary>
internal sealed class ConstantLearningRate(float rate) : ILearningRateSchedule
{
    public float RateAt(int epoch, long step) => rate;
}
