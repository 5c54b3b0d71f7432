namespace NeuralML.Training;

/// <summary>
/// The one-cycle policy (Smith and Topin, 2019) as PyTorch's <c>OneCycleLR(anneal_strategy='cos', three_phase=False)</c>,
/// per step (0-based over the whole run, T = totalSteps). With η₀ = ηmax/divFactor and ηmin = η₀/finalDivFactor and
/// the cosine anneal cos(a, b, x) = b + ½(a − b)(1 + cos(πx)) going from a at x = 0 to b at x = 1:
/// <list type="bullet">
/// <item>up, for step ≤ w with w = pctStart·T − 1 (in double, not rounded, as PyTorch's <c>float(pct_start * total_steps) - 1</c>):
/// η = cos(η₀, ηmax, step/w), from η₀ at step 0 to ηmax at step w when w is whole;</item>
/// <item>down, for step &gt; w: η = cos(ηmax, ηmin, (step − w)/(T − 1 − w)), reaching ηmin at the last step, T − 1;</item>
/// <item>after the last step, η stays ηmin (PyTorch extrapolates one step further and then raises).</item>
/// </list>
/// Where PyTorch divides 0 by 0 (pctStart·T = 1, so w = 0), step 0 is taken as the end of the up phase: ηmax.
/// With pctStart·T &lt; 1 no step is in the up phase and the run starts on the way down, as in PyTorch.
/// Defaults are PyTorch's: pctStart 0.3, divFactor 25, finalDivFactor 1e4. PyTorch's cycling of momentum is not done.
/// </summary>
internal sealed class OneCycle : ILearningRateSchedule
{
    private readonly double _initialRate, _maximumRate, _finalRate, _upEnd, _lastStep;

    /// <param name="maximumRate">ηmax, the peak rate.</param>
    /// <param name="totalSteps">T ≥ 1: the optimizer steps of the whole run (epochs × batches per epoch).</param>
    /// <param name="pctStart">In [0, 1]: the fraction of the steps spent going up.</param>
    /// <param name="divFactor">&gt; 0: the first rate is ηmax/divFactor.</param>
    /// <param name="finalDivFactor">&gt; 0: the last rate is the first rate/finalDivFactor.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside the range given for it.</exception>
    public OneCycle(double maximumRate, long totalSteps, double pctStart = 0.3, double divFactor = 25, double finalDivFactor = 1e4)
    {
        ScheduleArguments.PositiveFinite(maximumRate, nameof(maximumRate));
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        if (!(pctStart >= 0 && pctStart <= 1)) throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, "pctStart must be in [0, 1].");
        ScheduleArguments.PositiveFinite(divFactor, nameof(divFactor));
        ScheduleArguments.PositiveFinite(finalDivFactor, nameof(finalDivFactor));
        _maximumRate = maximumRate;
        _initialRate = maximumRate / divFactor;
        _finalRate = _initialRate / finalDivFactor;
        _upEnd = pctStart * totalSteps - 1;
        _lastStep = totalSteps - 1;
    }

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public float RateAt(int epoch, long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step <= _upEnd) return (float)Anneal(_initialRate, _maximumRate, _upEnd > 0 ? step / _upEnd : 1);
        double downLength = _lastStep - _upEnd;
        return (float)Anneal(_maximumRate, _finalRate, downLength > 0 ? Math.Min(1, (step - _upEnd) / downLength) : 1);
    }

    private static double Anneal(double from, double to, double fraction) => to + (from - to) / 2 * (1 + Math.Cos(Math.PI * fraction));
}
