using System.Runtime.InteropServices;

namespace NeuralML.Training;

/// <summary>
/// The line search of <see cref="LbfgsMinimizer"/>: along d from the iterate x, φ(α) = f(x + αd) and φ′(α) = ∇f(x + αd)ᵀd,
/// find α with φ(α) ≤ φ(0) + c₁·α·φ′(0) (sufficient decrease) and |φ′(α)| ≤ c₂·|φ′(0)| (strong curvature). Nocedal and
/// Wright's Algorithm 3.5 brackets such a step by extrapolating from the first trial, Algorithm 3.6 ("zoom") narrows the
/// bracket. Each trial point x + αd is rounded to float before f sees it; f always returns its gradient, so every
/// trial knows both φ and φ′ and every new trial comes from a safeguarded cubic fitted to two of them.
/// </summary>
internal sealed partial class LbfgsMinimizer
{
    /// <summary>A new zoom trial stays this fraction of the bracket's width away from either end, so the bracket shrinks by at least a tenth each time.</summary>
    private const double ZoomMargin = 0.1;

    /// <summary>An extrapolation trial goes at most this many times as far as the last one (so too does PyTorch's).</summary>
    private const double MaxExtrapolation = 10.0;

    private readonly double _c1, _c2;
    private readonly int _maxLineSearchEvaluations;

    // The last trial (point rounded to float, and its gradient), and the lowest point evaluated since the run's fresh start.
    private float[] _trialX = [], _trialG = [], _bestX = [], _bestG = [];
    private double _acceptedValue, _bestF;

    private enum LineSearchOutcome
    {
        /// <summary>The last trial meets both conditions; it is in _trialX and _trialG, its value in _acceptedValue.</summary>
        Accepted,

        /// <summary>The evaluations ran out, or the bracket shrank below double resolution in α or float resolution in x.</summary>
        Failed,

        /// <summary>shouldStop asked to stop before an evaluation.</summary>
        Cancelled,
    }

    private enum Trial
    {
        Evaluated,

        /// <summary>The trial rounds to a float point already evaluated: the search is down to float resolution.</summary>
        Repeated,

        Cancelled,
    }

    /// <summary>A step and what the function showed there.</summary>
    private readonly record struct LinePoint(double Step, double Value, double Slope);

    /// <summary>
    /// Algorithm 3.5: tries <paramref name="initialStep"/>; while the trial still descends steeply and lies below the
    /// previous one, extrapolates (the next trial at least as far beyond this one as this one is beyond the previous,
    /// at most ten times this step);
    /// as soon as the interval between the previous trial and this one must hold an acceptable step, zooms into it.
    /// </summary>
    private LineSearchOutcome LineSearch(double slope0, double initialStep)
    {
        double value0 = _f;
        var previous = new LinePoint(0, value0, slope0);
        double step = initialStep;
        for (int evaluations = 0; ; )
        {
            if (evaluations == _maxLineSearchEvaluations) return LineSearchOutcome.Failed;
            Trial outcome = TryEvaluateAt(step, out double value, out double slope);
            if (outcome != Trial.Evaluated) return outcome == Trial.Cancelled ? LineSearchOutcome.Cancelled : LineSearchOutcome.Failed;
            evaluations++;
            var trial = new LinePoint(step, value, slope);

            // Too far: f rose above the Armijo line, or above the previous trial, or was not finite.
            if (!IsUsable(trial) || !SufficientDecrease(trial, value0, slope0) || (evaluations > 1 && value >= previous.Value))
                return Zoom(previous, trial, value0, slope0, evaluations);
            if (Math.Abs(slope) <= -_c2 * slope0)
            {
                _acceptedValue = value;
                return LineSearchOutcome.Accepted;
            }
            // f turned upwards beyond the trial: a minimiser lies behind it, between it and the previous trial.
            if (slope >= 0) return Zoom(trial, previous, value0, slope0, evaluations);

            step = CubicMinimizer(previous, trial, 2 * step - previous.Step, MaxExtrapolation * step);
            previous = trial;
        }
    }

    /// <summary>
    /// Algorithm 3.6: <paramref name="low"/> is the lowest trial so far that meets sufficient decrease, and an
    /// acceptable step lies between it and <paramref name="high"/>. Each trial is the cubic's minimiser, kept at least
    /// <see cref="ZoomMargin"/> of the width away from both ends, and replaces one end.
    /// </summary>
    private LineSearchOutcome Zoom(LinePoint low, LinePoint high, double value0, double slope0, int evaluations)
    {
        while (true)
        {
            if (evaluations == _maxLineSearchEvaluations) return LineSearchOutcome.Failed;
            double left = Math.Min(low.Step, high.Step), right = Math.Max(low.Step, high.Step);
            double width = right - left;
            double step = CubicMinimizer(low, high, left + ZoomMargin * width, right - ZoomMargin * width);
            // A bracket narrower than double resolution has nothing left to offer.
            if (!(step > left && step < right)) return LineSearchOutcome.Failed;
            Trial outcome = TryEvaluateAt(step, out double value, out double slope);
            if (outcome != Trial.Evaluated) return outcome == Trial.Cancelled ? LineSearchOutcome.Cancelled : LineSearchOutcome.Failed;
            evaluations++;
            var trial = new LinePoint(step, value, slope);

            if (!IsUsable(trial) || !SufficientDecrease(trial, value0, slope0) || value >= low.Value)
            {
                high = trial;
                continue;
            }
            if (Math.Abs(slope) <= -_c2 * slope0)
            {
                _acceptedValue = value;
                return LineSearchOutcome.Accepted;
            }
            // Keep a bracket in which f descends from low towards high.
            if (slope * (high.Step - low.Step) >= 0) high = low;
            low = trial;
        }
    }

    private bool SufficientDecrease(LinePoint trial, double value0, double slope0) => trial.Value <= value0 + _c1 * trial.Step * slope0;

    private static bool IsUsable(LinePoint point) => double.IsFinite(point.Value) && double.IsFinite(point.Slope);

    /// <summary>
    /// The minimiser of the cubic that matches value and slope at <paramref name="a"/> and <paramref name="b"/>
    /// (Nocedal and Wright, eq. 3.59), clamped to [<paramref name="lower"/>, <paramref name="upper"/>]; the middle of
    /// that range when the cubic has no minimiser or a point is not finite.
    /// </summary>
    private static double CubicMinimizer(LinePoint a, LinePoint b, double lower, double upper)
    {
        double d1 = a.Slope + b.Slope - 3 * (a.Value - b.Value) / (a.Step - b.Step);
        double discriminant = d1 * d1 - a.Slope * b.Slope;
        if (discriminant >= 0)
        {
            double d2 = Math.CopySign(Math.Sqrt(discriminant), b.Step - a.Step);
            double step = b.Step - (b.Step - a.Step) * (b.Slope + d2 - d1) / (b.Slope - a.Slope + 2 * d2);
            if (double.IsFinite(step)) return Math.Min(Math.Max(step, lower), upper);
        }
        return 0.5 * (lower + upper);
    }

    /// <summary>
    /// Evaluates f at x + step·d rounded to float, into the trial buffers, and keeps the point if it is the lowest
    /// evaluated so far. A trial that rounds to the iterate or to that lowest point would only repeat an evaluation (f gives
    /// the same point the same value): the search is down to float resolution, which near the optimum is the usual way
    /// a search ends, and it should not spend its evaluations finding that out. Checks shouldStop before evaluating.
    /// </summary>
    private Trial TryEvaluateAt(double step, out double value, out double slope)
    {
        value = slope = double.NaN;
        for (int i = 0; i < _dimension; i++) _trialX[i] = (float)(_x[i] + step * _d[i]);
        if (SameBits(_trialX, _xFloat) || (_bestF < _f && SameBits(_trialX, _bestX))) return Trial.Repeated;
        if (StopRequested()) return Trial.Cancelled;
        value = Evaluate(_trialX, _trialG);
        slope = 0;
        for (int i = 0; i < _dimension; i++) slope += _trialG[i] * _d[i];
        if (value < _bestF)
        {
            _bestF = value;
            _trialX.CopyTo(_bestX, 0);
            _trialG.CopyTo(_bestG, 0);
        }
        return Trial.Evaluated;
    }

    private static bool SameBits(float[] a, float[] b) => MemoryMarshal.AsBytes(a.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(b.AsSpan()));
}
