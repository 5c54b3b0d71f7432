namespace NeuralML.Training;

/// <summary>
/// Lowers the rate when the watched loss stops improving. After each epoch it watches the validation loss, or the
/// training loss when there is no validation set; a loss improves when it is below best·(1 − threshold) (PyTorch's
/// <c>mode='min', threshold_mode='rel'</c>). After <c>patience</c> epochs in a row without improvement the rate becomes
/// max(η·factor, ηmin) and the count starts again; the new rate applies from the next epoch.
/// <para>
/// The count follows Keras (<c>ReduceLROnPlateau</c>: wait ≥ patience): the rate drops at the end of the patience-th
/// epoch without improvement. PyTorch drops it one epoch later (num_bad_epochs &gt; patience), so PyTorch's patience p
/// is p + 1 here. Defaults: factor 0.1, patience 10, ηmin 0, threshold 1e-4, as in both (Keras' threshold,
/// <c>min_delta</c>, is absolute); no cooldown (both default to 0).
/// </para>
/// </summary>
internal sealed class ReduceOnPlateau : ILearningRateSchedule
{
    private readonly double _factor, _minimumRate, _threshold;
    private readonly int _patience;
    private double _rate, _best = double.PositiveInfinity;
    private int _epochsWithoutImprovement;

    /// <param name="initialRate">η₀, the rate until the first reduction.</param>
    /// <param name="factor">In (0, 1): what the rate is multiplied by at each reduction.</param>
    /// <param name="patience">≥ 1: epochs in a row without improvement before a reduction.</param>
    /// <param name="minimumRate">ηmin in [0, η₀]: the rate never goes below it.</param>
    /// <param name="threshold">In [0, 1): the relative improvement that counts.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside the range given for it.</exception>
    public ReduceOnPlateau(double initialRate, double factor = 0.1, int patience = 10, double minimumRate = 0, double threshold = 1e-4)
    {
        ScheduleArguments.PositiveFinite(initialRate, nameof(initialRate));
        ScheduleArguments.Fraction(factor, nameof(factor), allowOne: false);
        ArgumentOutOfRangeException.ThrowIfLessThan(patience, 1);
        ScheduleArguments.Minimum(minimumRate, initialRate, nameof(minimumRate));
        if (!(threshold >= 0 && threshold < 1)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be in [0, 1).");
        (_rate, _factor, _patience, _minimumRate, _threshold) = (initialRate, factor, patience, minimumRate, threshold);
    }

    public float RateAt(int epoch, long step) => (float)_rate;

    public void EpochEnded(EpochReport report)
    {
        double loss = report.ValidationLoss ?? report.Loss;
        // A NaN loss compares false, so it counts as an epoch without improvement; the first finite loss always improves on +∞.
        if (loss < _best * (1 - _threshold))
        {
            _best = loss;
            _epochsWithoutImprovement = 0;
            return;
        }
        if (++_epochsWithoutImprovement < _patience) return;
        _rate = Math.Max(_rate * _factor, _minimumRate);
        _epochsWithoutImprovement = 0;
    }
}
