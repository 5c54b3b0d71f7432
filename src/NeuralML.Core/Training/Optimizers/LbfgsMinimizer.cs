using System.Runtime.InteropServices;

namespace NeuralML.Training;

/// <summary>
/// Full-batch L-BFGS (Nocedal and Wright, Numerical Optimization, 2nd ed., Algorithms 7.4 and 7.5) with a strong-Wolfe
/// line search (Algorithms 3.5 and 3.6), for <see cref="IDifferentiableFunction"/>s of float parameters.
/// <para>
/// Each iteration takes the direction d = −H·g from the two-loop recursion over the last m curvature pairs
/// (s = x_k+1 − x_k, y = g_k+1 − g_k), with H₀ = (sᵀy / yᵀy)·I from the newest pair; finds a step α along d with
/// f(x + αd) ≤ f(x) + c₁·α·gᵀd and |∇f(x + αd)ᵀd| ≤ c₂·|gᵀd|; moves there and stores the new pair.
/// </para>
/// <para>
/// Arithmetic: every vector the method keeps (x, g, d, s, y) is a double array and every dot product a plain
/// sequential double sum, so the method's own rounding stays far below float resolution, and the result is the same
/// bits on every machine (no SIMD reductions whose order depends on the vector width, no threads, nothing timed). The
/// iterate is always a point of float coordinates: a trial point x + αd is rounded to float once, f is evaluated
/// there, and an accepted step makes that rounded point the iterate. So x, f(x) and ∇f(x) always belong together and
/// each pair (s, y) is an exact secant pair of f, even near the optimum where a step is a few float ulps long.
/// </para>
/// <para>
/// Resuming: the iterate, its value and gradient and the curvature pairs stay in the instance between calls to
/// <see cref="Minimize"/>. A call whose start is, bit for bit, the point the previous call returned continues from
/// there without evaluating it again, so calls of a few iterations each follow the same path, to the bit, as one long
/// call. Any other start is evaluated afresh and the curvature pairs are dropped. The same instance must therefore be
/// used with the same function throughout; call <see cref="Reset"/> if the function changes while the parameters do
/// not. Not thread-safe.
/// </para>
/// </summary>
internal sealed partial class LbfgsMinimizer
{
    /// <summary>Curvature pairs kept (m): 10, as in scipy's L-BFGS-B; Nocedal and Wright find 3 to 20 usually enough.</summary>
    public const int DefaultHistorySize = 10;

    /// <summary>Stop when ‖∇f‖∞ ≤ 1e-5.</summary>
    public const double DefaultGradientTolerance = 1e-5;

    /// <summary>Stop when a step lowers f by at most 1e-9·max(|f_k|, |f_k+1|, 1).</summary>
    public const double DefaultLossTolerance = 1e-9;

    /// <summary>c₁ of the sufficient-decrease (Armijo) condition: 1e-4, Nocedal and Wright's choice.</summary>
    public const double DefaultSufficientDecrease = 1e-4;

    /// <summary>c₂ of the strong curvature condition: 0.9, the usual value for quasi-Newton methods (a loose search).</summary>
    public const double DefaultCurvature = 0.9;

    /// <summary>Evaluations one line search may make before it is given up: 20.</summary>
    public const int DefaultMaxLineSearchEvaluations = 20;

    /// <summary>
    /// A pair is stored only if sᵀy &gt; 1e-10·‖s‖·‖y‖. The strong Wolfe conditions give sᵀy ≥ (1 − c₂)·α·|gᵀd| &gt; 0
    /// in exact arithmetic, which keeps H positive definite; but near the optimum y is the difference of two nearly
    /// equal float gradients, and a point kept from a cancelled or failed search need not satisfy the conditions at all.
    /// A pair whose measured curvature is rounding noise (or negative) would make ρ = 1/sᵀy huge or negative and H
    /// badly scaled or indefinite. The test is on the cosine between s and y, so it does not depend on the scale of f.
    /// </summary>
    private const double CurvatureSkipThreshold = 1e-10;

    private readonly int _historySize;
    private readonly double _gradientTolerance, _lossTolerance;

    // The curvature pairs: a ring of _pairCount pairs ending at _newest; ρ = 1/sᵀy; H₀'s scale from the newest pair.
    private double[][] _s = [], _y = [];
    private readonly double[] _rho, _alpha;
    private int _pairCount, _newest;
    private double _gamma;

    // The iterate (float coordinates, held in double), its value and gradient, and its float copy for f and for
    // recognising a resumed call.
    private int _dimension = -1;
    private bool _hasIterate;
    private double[] _x = [], _g = [], _d = [];
    private float[] _xFloat = [];
    private double _f;

    // What the current call evaluates, how often, and when to stop.
    private IDifferentiableFunction? _function;
    private Func<bool>? _shouldStop;
    private int _evaluations;

    /// <param name="historySize">Curvature pairs kept (m ≥ 1), <see cref="DefaultHistorySize"/>.</param>
    /// <param name="gradientTolerance">
    /// Stop when ‖∇f‖∞ (the largest absolute entry) is at most this, <see cref="DefaultGradientTolerance"/>. The
    /// infinity norm, as in scipy's pgtol and PyTorch's tolerance_grad, so the tolerance means the same for a network
    /// of 10⁵ parameters as for a regression of five: a 2-norm grows as √n for the same entries.
    /// </param>
    /// <param name="lossTolerance">
    /// Stop when a step lowers f by at most this times max(|f_k|, |f_k+1|, 1), <see cref="DefaultLossTolerance"/>:
    /// relative for large f, absolute below 1. 0 turns the test off.
    /// </param>
    /// <param name="sufficientDecrease">c₁ of the Armijo condition, <see cref="DefaultSufficientDecrease"/>.</param>
    /// <param name="curvature">c₂ of the strong curvature condition (c₁ &lt; c₂ &lt; 1), <see cref="DefaultCurvature"/>.</param>
    /// <param name="maxLineSearchEvaluations">Evaluations per line search (≥ 1), <see cref="DefaultMaxLineSearchEvaluations"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is outside the range given.</exception>
    public LbfgsMinimizer(int historySize = DefaultHistorySize, double gradientTolerance = DefaultGradientTolerance,
        double lossTolerance = DefaultLossTolerance, double sufficientDecrease = DefaultSufficientDecrease,
        double curvature = DefaultCurvature, int maxLineSearchEvaluations = DefaultMaxLineSearchEvaluations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historySize, 1);
        if (!(gradientTolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(gradientTolerance), gradientTolerance, "Must be ≥ 0.");
        if (!(lossTolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(lossTolerance), lossTolerance, "Must be ≥ 0.");
        if (!(sufficientDecrease > 0 && sufficientDecrease < curvature && curvature < 1))
            throw new ArgumentOutOfRangeException(nameof(curvature), curvature, $"Need 0 < c1 < c2 < 1; c1 is {sufficientDecrease}.");
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineSearchEvaluations, 1);
        _historySize = historySize;
        _gradientTolerance = gradientTolerance;
        _lossTolerance = lossTolerance;
        _c1 = sufficientDecrease;
        _c2 = curvature;
        _maxLineSearchEvaluations = maxLineSearchEvaluations;
        _rho = new double[historySize];
        _alpha = new double[historySize];
    }

    /// <summary>
    /// Runs at most <paramref name="maxIterations"/> iterations from <paramref name="x"/> and writes the point reached
    /// into it: the last iterate, or after <see cref="LbfgsStop.Cancelled"/> and <see cref="LbfgsStop.LineSearchFailed"/>
    /// the lowest point evaluated since the run's fresh start (which then becomes the iterate, so a later call resumes
    /// from it).
    /// <paramref name="shouldStop"/> is asked before every evaluation of f. If <paramref name="x"/> is the point the
    /// previous call returned, the call resumes (no evaluation, curvature pairs kept); otherwise it starts afresh.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/>'s length is not the function's dimension, or the dimension changed without <see cref="Reset"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxIterations"/> is negative.</exception>
    public LbfgsResult Minimize(IDifferentiableFunction function, Span<float> x, int maxIterations, Func<bool>? shouldStop = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentOutOfRangeException.ThrowIfNegative(maxIterations);
        if (x.Length != function.Dimension)
            throw new ArgumentException($"The point has {x.Length} values but the function has {function.Dimension} parameters.", nameof(x));
        PrepareFor(x.Length);
        _function = function;
        _shouldStop = shouldStop;
        _evaluations = 0;
        try
        {
            return Run(x, maxIterations);
        }
        finally
        {
            _function = null;
            _shouldStop = null;
        }
    }

    /// <summary>Forgets the iterate and the curvature pairs: the next call starts afresh, whatever its start.</summary>
    public void Reset()
    {
        _hasIterate = false;
        ClearHistory();
    }

    private LbfgsResult Run(Span<float> x, int maxIterations)
    {
        if (!IsCurrentIterate(x))
        {
            Reset();
            if (StopRequested()) return Finish(x, LbfgsStop.Cancelled, 0);
            x.CopyTo(_xFloat);
            _f = Evaluate(_xFloat, _trialG);
            for (int i = 0; i < _dimension; i++)
            {
                _x[i] = _xFloat[i];
                _g[i] = _trialG[i];
            }
            _hasIterate = true;
            _bestF = _f;
            _xFloat.CopyTo(_bestX, 0);
            _trialG.CopyTo(_bestG, 0);
        }
        // No step can be measured from a point whose value or gradient is not finite.
        if (!double.IsFinite(_f) || !double.IsFinite(GradientNorm())) return Finish(x, LbfgsStop.LineSearchFailed, 0);
        if (GradientNorm() <= _gradientTolerance) return Finish(x, LbfgsStop.GradientTolerance, 0);

        for (int iterations = 0; ; )
        {
            if (iterations == maxIterations) return Finish(x, LbfgsStop.MaxIterations, iterations);
            LineSearchOutcome outcome = SearchNewDirection();
            if (outcome != LineSearchOutcome.Accepted)
            {
                AdoptBestTrial();
                return Finish(x, outcome == LineSearchOutcome.Cancelled ? LbfgsStop.Cancelled : LbfgsStop.LineSearchFailed, iterations);
            }
            double previous = _f;
            MoveTo(_trialX, _trialG, _acceptedValue);
            iterations++;
            if (GradientNorm() <= _gradientTolerance) return Finish(x, LbfgsStop.GradientTolerance, iterations);
            if (Math.Abs(previous - _f) <= _lossTolerance * Math.Max(Math.Max(Math.Abs(previous), Math.Abs(_f)), 1.0))
                return Finish(x, LbfgsStop.LossTolerance, iterations);
        }
    }

    /// <summary>
    /// One line search along the L-BFGS direction; if it fails with curvature pairs in memory, they may be what misled
    /// it, so the pairs are dropped and −g is searched once more. The first trial step is 1 (the quasi-Newton step is
    /// well scaled by H₀), or min(1, 1/‖g‖₂) along −g with an empty memory, so that first step is at most 1 long.
    /// </summary>
    private LineSearchOutcome SearchNewDirection()
    {
        double slope = ComputeDirection();
        LineSearchOutcome outcome = LineSearch(slope, InitialStep());
        if (outcome != LineSearchOutcome.Failed || _pairCount == 0) return outcome;
        ClearHistory();
        slope = ComputeDirection();
        return LineSearch(slope, InitialStep());
    }

    private double InitialStep()
    {
        if (_pairCount > 0) return 1.0;
        double norm = Math.Sqrt(Dot(_g, _g));
        return Math.Min(1.0, 1.0 / norm);
    }

    /// <summary>
    /// d = −H·g by the two-loop recursion (Algorithm 7.4); returns gᵀd. If d is not a descent direction (gᵀd ≥ 0,
    /// which rounding can cause in an ill-conditioned memory) the pairs are dropped and d = −g.
    /// </summary>
    private double ComputeDirection()
    {
        double[] d = _d;
        _g.CopyTo(d, 0);
        int m = _historySize;
        for (int k = 0, slot = _newest; k < _pairCount; k++, slot = (slot + m - 1) % m)
        {
            double a = _rho[slot] * Dot(_s[slot], d);
            _alpha[slot] = a;
            AddScaled(d, -a, _y[slot]);
        }
        double gamma = _pairCount > 0 ? _gamma : 1.0;
        for (int i = 0; i < d.Length; i++) d[i] *= gamma;
        for (int k = 0, slot = (_newest + m - _pairCount + 1) % m; k < _pairCount; k++, slot = (slot + 1) % m)
        {
            double b = _rho[slot] * Dot(_y[slot], d);
            AddScaled(d, _alpha[slot] - b, _s[slot]);
        }
        for (int i = 0; i < d.Length; i++) d[i] = -d[i];

        double slope = Dot(_g, d);
        if (slope < 0 && double.IsFinite(slope)) return slope;
        ClearHistory();
        for (int i = 0; i < d.Length; i++) d[i] = -_g[i];
        return Dot(_g, d);
    }

    /// <summary>
    /// Makes (<paramref name="point"/>, <paramref name="gradient"/>, <paramref name="value"/>) the iterate and stores
    /// the pair s = point − x, y = gradient − g unless its curvature is too small to trust (see <see cref="CurvatureSkipThreshold"/>).
    /// </summary>
    private void MoveTo(float[] point, float[] gradient, double value)
    {
        double sy = 0, ss = 0, yy = 0;
        for (int i = 0; i < _dimension; i++)
        {
            double s = point[i] - _x[i], y = gradient[i] - _g[i];
            sy += s * y;
            ss += s * s;
            yy += y * y;
        }
        if (sy > CurvatureSkipThreshold * Math.Sqrt(ss) * Math.Sqrt(yy) && double.IsFinite(sy))
        {
            int slot = (_newest + 1) % _historySize;
            double[] sSlot = _s[slot], ySlot = _y[slot];
            for (int i = 0; i < _dimension; i++)
            {
                sSlot[i] = point[i] - _x[i];
                ySlot[i] = gradient[i] - _g[i];
            }
            _rho[slot] = 1.0 / sy;
            _gamma = sy / yy;
            _newest = slot;
            _pairCount = Math.Min(_pairCount + 1, _historySize);
        }
        for (int i = 0; i < _dimension; i++)
        {
            _x[i] = point[i];
            _g[i] = gradient[i];
        }
        point.CopyTo(_xFloat, 0);
        _f = value;
    }

    /// <summary>
    /// After a cancelled or failed search: moves to the lowest point evaluated since the start if that is below the
    /// iterate (a trial of this search, or rarely one of an earlier search that failed the Armijo test yet lies lower).
    /// </summary>
    private void AdoptBestTrial()
    {
        if (_bestF < _f) MoveTo(_bestX, _bestG, _bestF);
    }

    private LbfgsResult Finish(Span<float> x, LbfgsStop stop, int iterations)
    {
        if (!_hasIterate) return new LbfgsResult(stop, iterations, _evaluations, double.NaN, double.NaN);
        _xFloat.CopyTo(x);
        return new LbfgsResult(stop, iterations, _evaluations, _f, GradientNorm());
    }

    private bool StopRequested() => _shouldStop is not null && _shouldStop();

    private double Evaluate(float[] point, float[] gradient)
    {
        _evaluations++;
        return _function!.Evaluate(point, gradient);
    }

    private bool IsCurrentIterate(ReadOnlySpan<float> x)
        => _hasIterate && MemoryMarshal.AsBytes(x).SequenceEqual(MemoryMarshal.AsBytes(_xFloat.AsSpan()));

    /// <summary>‖g‖∞; NaN if any entry is NaN (Math.Max propagates it).</summary>
    private double GradientNorm()
    {
        double norm = 0;
        foreach (double value in _g) norm = Math.Max(norm, Math.Abs(value));
        return norm;
    }

    private void ClearHistory()
    {
        _pairCount = 0;
        _newest = _historySize - 1;
        _gamma = 1.0;
    }

    /// <summary>Allocates every buffer for <paramref name="dimension"/> parameters, once.</summary>
    private void PrepareFor(int dimension)
    {
        if (dimension == _dimension) return;
        if (_hasIterate)
            throw new ArgumentException($"This minimizer holds the state of a function of {_dimension} parameters, not {dimension}: use one instance per function, or call Reset first.");
        _dimension = dimension;
        _x = new double[dimension];
        _g = new double[dimension];
        _d = new double[dimension];
        _xFloat = new float[dimension];
        _trialX = new float[dimension];
        _trialG = new float[dimension];
        _bestX = new float[dimension];
        _bestG = new float[dimension];
        _s = new double[_historySize][];
        _y = new double[_historySize][];
        for (int k = 0; k < _historySize; k++)
        {
            _s[k] = new double[dimension];
            _y[k] = new double[dimension];
        }
        ClearHistory();
    }

    /// <summary>Σ aᵢbᵢ in index order, so the sum is the same bits everywhere.</summary>
    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>target += scale·source.</summary>
    private static void AddScaled(double[] target, double scale, double[] source)
    {
        for (int i = 0; i < target.Length; i++) target[i] += scale * source[i];
    }
}
