namespace NeuralML.Training;

/// <summary>
/// Linear warm-up, then a half cosine down to a floor, per step (0-based over the whole run, T = totalSteps,
/// W = warmupSteps):
/// <list type="bullet">
/// <item>step &lt; W: η = η₀·(step + 1)/W, from η₀/W at step 0 to η₀ at step W − 1 (never 0, which would waste a step);</item>
/// <item>W ≤ step &lt; T: η = ηmin + ½(η₀ − ηmin)(1 + cos(π·(step − W)/(T − W))), from η₀ at step W towards ηmin;</item>
/// <item>step ≥ T: η = ηmin, where the cosine would arrive at step T.</item>
/// </list>
/// The cosine part is PyTorch's <c>CosineAnnealingLR(T_max = T − W, eta_min = ηmin)</c> stepped once per batch, or
/// Keras' <c>CosineDecay(decay_steps = T − W, alpha = ηmin/η₀)</c>; the last step of the run (T − 1) is one cosine
/// step above ηmin rather than at it, so no step is spent at the floor. ηmin defaults to 0, as in both.
/// </summary>
internal sealed class CosineAnnealing : ILearningRateSchedule
{
    private readonly double _initialRate, _minimumRate;
    private readonly long _totalSteps, _warmupSteps;

    /// <param name="initialRate">η₀, the peak rate, reached at the end of the warm-up.</param>
    /// <param name="totalSteps">T ≥ 1: the optimizer steps of the whole run (epochs × batches per epoch).</param>
    /// <param name="warmupSteps">W in [0, T]: steps of linear warm-up; 0 starts the cosine at step 0.</param>
    /// <param name="minimumRate">ηmin in [0, η₀]: where the cosine ends.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside the range given for it.</exception>
    public CosineAnnealing(double initialRate, long totalSteps, long warmupSteps, double minimumRate = 0)
    {
        ScheduleArguments.PositiveFinite(initialRate, nameof(initialRate));
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(warmupSteps, totalSteps);
        ScheduleArguments.Minimum(minimumRate, initialRate, nameof(minimumRate));
        (_initialRate, _totalSteps, _warmupSteps, _minimumRate) = (initialRate, totalSteps, warmupSteps, minimumRate);
    }

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public float RateAt(int epoch, long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < _warmupSteps) return (float)(_initialRate * (step + 1) / _warmupSteps);
        if (step >= _totalSteps) return (float)_minimumRate;
        double progress = (double)(step - _warmupSteps) / (_totalSteps - _warmupSteps);
        return (float)(_minimumRate + 0.5 * (_initialRate - _minimumRate) * (1 + Math.Cos(Math.PI * progress)));
    }
}
