namespace NeuralML.Training;

/// <summary>
/// The rate shrinks smoothly from epoch to epoch: η = η₀·γ^((epoch − 1)/k) (epoch 1-based, real exponent), constant
/// within an epoch, so it is multiplied by γ every k epochs and by γ^(1/k) every epoch. With k = 1 this is PyTorch's
/// <c>ExponentialLR(gamma=γ)</c> stepped once per epoch; Keras' <c>ExponentialDecay(staircase=False)</c> is the same
/// curve evaluated at every step instead of every epoch. See <see cref="StepDecay"/> for the staircase.
/// </summary>
internal sealed class ExponentialDecay : ILearningRateSchedule
{
    private readonly double _initialRate, _decayRate;
    private readonly int _decayEpochs;

    /// <param name="initialRate">η₀, the rate of epoch 1.</param>
    /// <param name="decayRate">γ in (0, 1]: the factor over <paramref name="decayEpochs"/> epochs.</param>
    /// <param name="decayEpochs">k ≥ 1: epochs over which the rate is multiplied by γ.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside the range given for it.</exception>
    public ExponentialDecay(double initialRate, double decayRate, int decayEpochs)
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
        return (float)(_initialRate * Math.Pow(_decayRate, (epoch - 1) / (double)_decayEpochs));
    }
}
