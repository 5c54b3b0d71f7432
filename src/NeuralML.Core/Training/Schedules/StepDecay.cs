namespace NeuralML.Training;

/// <summary>
/// The rate drops by a factor every few epochs: η = η₀·γ^⌊(epoch − 1)/k⌋ (epoch 1-based), constant within an epoch.
/// PyTorch's <c>StepLR(step_size=k, gamma=γ)</c> stepped once per epoch; Keras' <c>ExponentialDecay(staircase=True)</c>
/// with <c>decay_steps</c> = k epochs of steps. See <see cref="ExponentialDecay"/> for the smooth version.
/// </summary>
internal sealed class StepDecay : ILearningRateSchedule
{
    private readonly double _initialRate, _decayRate;
    private readonly int _decayEpochs;

    /// <param name="initialRate">η₀, the rate of the first <paramref name="decayEpochs"/> epochs.</param>
    /// <param name="decayRate">γ in (0, 1]: the factor applied every <paramref name="decayEpochs"/> epochs.</param>
    /// <param name="decayEpochs">k ≥ 1: epochs between drops.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside the range given for it.</exception>
    public StepDecay(double initialRate, double decayRate, int decayEpochs)
    {
        ScheduleArguments.PositiveFinite(initialRate, nameof(initialRate));
        ScheduleArguments.Fraction(decayRate, nameof(decayRate), allowOne: true);
        ArgumentOutOfRangeException.ThrowIfLessThan(decayEpochs, 1);
        (_initialRate, _decayRate, _decayEpochs) = (initialRate, decayRate, decayEpochs);
    }

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is below 1.</exception>
    public float RateAt(int epoch, long step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        return (float)(_initialRate * Math.Pow(_decayRate, (epoch - 1) / _decayEpochs));
    }
}
