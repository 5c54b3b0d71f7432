using NeuralML.Training;
using static NeuralML.Tests.Training.LbfgsProblems;

namespace NeuralML.Tests.Training;

/// <summary>
/// How <see cref="LbfgsMinimizer"/> moves and stops: every step it accepts meets the strong Wolfe conditions, calls of
/// a few iterations follow one long call's path to the bit, shouldStop stops after exactly the evaluations it allows,
/// runs repeat to the bit, a failed line search is retried along −g and leaves the lowest point, the first trial is
/// at most 1 long, a new start forgets the old one, and a call allocates nothing.
/// </summary>
public class LbfgsBehaviourTests
{
    /// <summary>
    /// Steps are watched one call of one iteration at a time (a resumed call follows the same path as one long call;
    /// the next test checks that), with every evaluation recorded: the accepted point is the search's last trial, and
    /// with s = x_k+1 − x_k, f_k+1 ≤ f_k + c₁·g_kᵀs and |g_k+1ᵀs| ≤ c₂·|g_kᵀs|. The minimiser tests the conditions on
    /// αd, of which s is the float rounding; so each side is allowed the most the rounding can change it,
    /// Σ|gᵢ|·½ulp(x_k+1,ᵢ) (c₁·(g_kᵀs + E_k) and c₂·(|g_kᵀs| + E_k) + E_k+1), which matters only on steps of a few ulps.
    /// The problems make the search both extrapolate (the flat quadratic: a second trial beyond the first) and zoom
    /// (Rosenbrock: a second trial short of the first).
    /// </summary>
    [Theory]
    [InlineData(Rosenbrock2, 30, false, true)]
    [InlineData(Rosenbrock6, 40, false, true)]
    [InlineData(FlatQuadratic, 5, true, false)]
    [InlineData(Logistic, 5, false, false)]
    [InlineData(LeastSquares, 5, false, false)]
    public void EveryAcceptedStepMeetsTheStrongWolfeConditions(string problem, int leastSteps, bool mustExtrapolate, bool mustZoom)
    {
        IDifferentiableFunction function = Create(problem);
        float[] x = Start(function);
        var recorder = new RecordingFunction(function);
        var minimizer = new LbfgsMinimizer();
        minimizer.Minimize(recorder, x, maxIterations: 0);
        RecordingFunction.Evaluation current = recorder.Evaluations[^1];

        int steps = 0, extrapolations = 0, zooms = 0;
        for (int call = 0; call < 1000; call++)
        {
            int before = recorder.Count;
            LbfgsResult result = minimizer.Minimize(recorder, x, maxIterations: 1);
            if (result.Iterations == 1)
            {
                RecordingFunction.Evaluation next = recorder.Evaluations[^1];
                Assert.Equal(Bits(next.Point), Bits(x));
                AssertStrongWolfe(current, next, LbfgsMinimizer.DefaultSufficientDecrease, LbfgsMinimizer.DefaultCurvature);
                if (recorder.Count - before > 1)
                {
                    bool further = Distance(recorder.Evaluations[before + 1].Point, current.Point) > Distance(recorder.Evaluations[before].Point, current.Point);
                    if (further) extrapolations++;
                    else zooms++;
                }
                current = next;
                steps++;
            }
            if (result.Stop != LbfgsStop.MaxIterations) break;
        }

        Assert.True(steps >= leastSteps, $"{steps} steps");
        Assert.True(!mustExtrapolate || extrapolations > 0, "No search extrapolated.");
        Assert.True(!mustZoom || zooms > 0, "No search zoomed.");
    }

    private static double Distance(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += Math.Abs((double)a[i] - b[i]);
        return sum;
    }

    private static void AssertStrongWolfe(RecordingFunction.Evaluation before, RecordingFunction.Evaluation after, double c1, double c2)
    {
        double slopeBefore = 0, slopeAfter = 0, roundingBefore = 0, roundingAfter = 0;
        for (int i = 0; i < before.Point.Length; i++)
        {
            double s = (double)after.Point[i] - before.Point[i];
            float magnitude = MathF.Abs(after.Point[i]);
            double halfUlp = 0.5 * ((double)MathF.BitIncrement(magnitude) - magnitude);
            slopeBefore += before.Gradient[i] * s;
            slopeAfter += after.Gradient[i] * s;
            roundingBefore += Math.Abs(before.Gradient[i]) * halfUlp;
            roundingAfter += Math.Abs(after.Gradient[i]) * halfUlp;
        }
        Assert.True(after.Value <= before.Value + c1 * (slopeBefore + roundingBefore),
            $"Sufficient decrease: f {before.Value} → {after.Value}, gᵀs = {slopeBefore}");
        Assert.True(Math.Abs(slopeAfter) <= c2 * (Math.Abs(slopeBefore) + roundingBefore) + roundingAfter,
            $"Curvature: |g₊ᵀs| = {Math.Abs(slopeAfter)}, |gᵀs| = {Math.Abs(slopeBefore)}");
    }

    /// <summary>
    /// A call whose start is the point the previous call returned resumes without evaluating it again and with the
    /// curvature pairs it had, so calls of 5 (or 3, or 1) iterations make the very evaluations one long call makes, and end
    /// at the same bits, for the same reason, after as many iterations and evaluations in all.
    /// </summary>
    [Theory]
    [InlineData(Rosenbrock2, 5)]
    [InlineData(Rosenbrock6, 5)]
    [InlineData(Rosenbrock6, 1)]
    [InlineData(Logistic, 3)]
    [InlineData(LeastSquares, 3)]
    public void CallsOfAFewIterationsFollowOneLongCallToTheBit(string problem, int iterationsPerCall)
    {
        IDifferentiableFunction function = Create(problem);
        var wholeRecorder = new RecordingFunction(function);
        float[] whole = Start(function);
        LbfgsResult wholeResult = new LbfgsMinimizer().Minimize(wholeRecorder, whole, maxIterations: 10_000);

        var piecesRecorder = new RecordingFunction(function);
        float[] pieces = Start(function);
        var minimizer = new LbfgsMinimizer();
        int calls = 0, iterations = 0, evaluations = 0;
        LbfgsResult last;
        do
        {
            last = minimizer.Minimize(piecesRecorder, pieces, iterationsPerCall);
            calls++;
            iterations += last.Iterations;
            evaluations += last.Evaluations;
        } while (last.Stop == LbfgsStop.MaxIterations && calls < 10_000);

        Assert.True(calls >= 3, $"{calls} calls");
        Assert.Equal(wholeResult.Stop, last.Stop);
        Assert.Equal(wholeResult.Iterations, iterations);
        Assert.Equal(wholeResult.Evaluations, evaluations);
        Assert.Equal(Bits(whole), Bits(pieces));
        Assert.Equal(BitConverter.DoubleToInt64Bits(wholeResult.Value), BitConverter.DoubleToInt64Bits(last.Value));
        AssertSameEvaluations(wholeRecorder, piecesRecorder);
    }

    /// <summary>
    /// shouldStop counting evaluations: the call stops, Cancelled, after exactly that many, at the lowest point
    /// evaluated (the start untouched, and no value, when none was allowed); a later call resumes from there and ends
    /// converged. On the flat quadratic the second evaluation is a trial that lowers f but is too short to accept, so
    /// stopping there returns that trial rather than the iterate.
    /// </summary>
    [Theory]
    [InlineData(Rosenbrock2, 0)]
    [InlineData(Rosenbrock2, 1)]
    [InlineData(Rosenbrock2, 2)]
    [InlineData(Rosenbrock2, 5)]
    [InlineData(Rosenbrock2, 17)]
    [InlineData(Rosenbrock2, 30)]
    [InlineData(FlatQuadratic, 2)]
    [InlineData(FlatQuadratic, 3)]
    public void ShouldStopEndsTheCallAfterExactlyTheEvaluationsItAllows(string problem, int allowed)
    {
        IDifferentiableFunction function = Create(problem);
        var recorder = new RecordingFunction(function);
        float[] start = Start(function), x = Start(function);
        var minimizer = new LbfgsMinimizer();

        LbfgsResult result = minimizer.Minimize(recorder, x, maxIterations: 200, shouldStop: () => recorder.Count >= allowed);

        Assert.Equal(LbfgsStop.Cancelled, result.Stop);
        Assert.Equal(allowed, result.Evaluations);
        Assert.Equal(allowed, recorder.Count);
        if (allowed == 0)
        {
            Assert.Equal(Bits(start), Bits(x));
            Assert.True(double.IsNaN(result.Value));
        }
        else
        {
            RecordingFunction.Evaluation lowest = recorder.Evaluations.MinBy(e => e.Value);
            Assert.Equal(Bits(lowest.Point), Bits(x));
            Assert.Equal(lowest.Value, result.Value);
        }

        LbfgsResult resumed = minimizer.Minimize(function, x, maxIterations: 200);
        Assert.True(resumed.Stop is LbfgsStop.GradientTolerance or LbfgsStop.LossTolerance, resumed.ToString());
        Assert.True(resumed.Value < 1e-9, resumed.ToString());
    }

    /// <summary>Two runs from the same start, on two instances, make the same evaluations and end on the same bits.</summary>
    [Theory]
    [InlineData(Rosenbrock6)]
    [InlineData(Logistic)]
    public void TwoRunsAreBitIdentical(string problem)
    {
        IDifferentiableFunction function = Create(problem);
        var firstRecorder = new RecordingFunction(function);
        var secondRecorder = new RecordingFunction(function);
        float[] first = Start(function), second = Start(function);

        LbfgsResult firstResult = new LbfgsMinimizer().Minimize(firstRecorder, first, maxIterations: 500);
        LbfgsResult secondResult = new LbfgsMinimizer().Minimize(secondRecorder, second, maxIterations: 500);

        Assert.Equal(firstResult, secondResult);
        Assert.Equal(Bits(first), Bits(second));
        AssertSameEvaluations(firstRecorder, secondRecorder);
    }

    /// <summary>
    /// A gradient of the wrong sign makes −g an ascent direction, so no step decreases f enough: the search gives up
    /// within its 20 evaluations (no curvature pairs yet, so there is no retry), and x stays at the start, the lowest
    /// point evaluated.
    /// </summary>
    [Fact]
    public void AFailedLineSearchLeavesTheLowestPoint()
    {
        var problem = new RosenbrockProblem(2);
        float[] start = problem.Start(), x = problem.Start();

        LbfgsResult result = new LbfgsMinimizer().Minimize(new WrongSignGradient(problem), x, maxIterations: 100);

        Assert.Equal(LbfgsStop.LineSearchFailed, result.Stop);
        Assert.Equal(0, result.Iterations);
        Assert.InRange(result.Evaluations, 2, 1 + LbfgsMinimizer.DefaultMaxLineSearchEvaluations);
        Assert.Equal(Bits(start), Bits(x));
    }

    /// <summary>
    /// With two evaluations per search, Rosenbrock in 6 dimensions first needs more at iteration 18: the search along
    /// the L-BFGS direction fails, the curvature pairs are dropped and −g is searched, with a first trial min(1, 1/‖g‖₂)
    /// along it (‖g‖₂ &gt; 1 there, so a step 1 long); that fails too, and x is the lowest point evaluated.
    /// </summary>
    [Fact]
    public void AFailedSearchIsRetriedAlongTheNegativeGradient()
    {
        var problem = new RosenbrockProblem(6);
        var recorder = new RecordingFunction(problem);
        var minimizer = new LbfgsMinimizer(maxLineSearchEvaluations: 2);
        float[] x = problem.Start();
        minimizer.Minimize(recorder, x, maxIterations: 0);
        float[] before;
        int firstTrial, iterations = 0;
        LbfgsResult result;
        do
        {
            before = (float[])x.Clone();
            firstTrial = recorder.Count;
            result = minimizer.Minimize(recorder, x, maxIterations: 1);
            iterations += result.Iterations;
        } while (result.Stop == LbfgsStop.MaxIterations);

        Assert.Equal(LbfgsStop.LineSearchFailed, result.Stop);
        Assert.Equal(17, iterations);
        Assert.Equal(4, result.Evaluations);
        float[] gradient = recorder.Evaluations.Last(e => Bits(e.Point).SequenceEqual(Bits(before))).Gradient;
        double gradientNorm = Math.Sqrt(gradient.Sum(g => (double)g * g));
        Assert.True(gradientNorm > 1, $"‖g‖₂ = {gradientNorm}");
        Assert.True(CosineToNegativeGradient(recorder.Evaluations[firstTrial].Point) < 0.99, "The first search went along −g.");
        float[] retry = recorder.Evaluations[firstTrial + 2].Point;
        Assert.True(CosineToNegativeGradient(retry) > 1 - 1e-6, "The retry did not go along −g.");
        Assert.Equal(1.0, Math.Sqrt(Enumerable.Range(0, retry.Length).Sum(i => Math.Pow((double)retry[i] - before[i], 2))), 1e-5);
        RecordingFunction.Evaluation lowest = recorder.Evaluations.MinBy(e => e.Value);
        Assert.Equal(Bits(lowest.Point), Bits(x));

        double CosineToNegativeGradient(float[] point)
        {
            double dot = 0, length = 0;
            for (int i = 0; i < point.Length; i++)
            {
                double step = (double)point[i] - before[i];
                dot -= step * gradient[i];
                length += step * step;
            }
            return dot / (Math.Sqrt(length) * gradientNorm);
        }
    }

    /// <summary>
    /// The first trial from a fresh start goes min(1, 1/‖g‖₂) along −g: a step 1 long where ‖g‖₂ &gt; 1 (Rosenbrock,
    /// ‖g‖₂ ≈ 233), the plain step 1, only ‖g‖₂ long, where ‖g‖₂ &lt; 1 (the flat quadratic, ‖g‖₂ ≈ 0.053).
    /// </summary>
    [Theory]
    [InlineData(Rosenbrock2)]
    [InlineData(FlatQuadratic)]
    public void TheFirstTrialIsAtMostOneLong(string problem)
    {
        IDifferentiableFunction function = Create(problem);
        var recorder = new RecordingFunction(function);
        float[] start = Start(function), x = Start(function);

        new LbfgsMinimizer().Minimize(recorder, x, maxIterations: 1);

        float[] gradient = recorder.Evaluations[0].Gradient, trial = recorder.Evaluations[1].Point;
        double gradientNorm = Math.Sqrt(gradient.Sum(g => (double)g * g));
        double expectedStep = Math.Min(1, 1 / gradientNorm);
        for (int i = 0; i < start.Length; i++)
            Assert.Equal(start[i] - expectedStep * gradient[i], trial[i], 1e-6 * Math.Max(1, Math.Abs(trial[i])));
    }

    /// <summary>Once its buffers exist, a call allocates nothing (the trainer allocates nothing per step).</summary>
    [Fact]
    public void ACallAllocatesNothingOnceTheBuffersExist()
    {
        var problem = new FlatQuadraticProblem();
        new LbfgsMinimizer().Minimize(problem, new float[problem.Dimension], maxIterations: 100, shouldStop: () => false);
        var minimizer = new LbfgsMinimizer();
        float[] x = new float[problem.Dimension];
        Func<bool> shouldStop = () => false;
        minimizer.Minimize(problem, x, maxIterations: 0, shouldStop);

        long allocated = GC.GetAllocatedBytesForCurrentThread();
        LbfgsResult result = minimizer.Minimize(problem, x, maxIterations: 100, shouldStop);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.True(result.Iterations > 5, result.ToString());
        Assert.Equal(0, allocated);
    }

    /// <summary>A start other than the point last returned is a fresh start: the old curvature pairs are forgotten.</summary>
    [Fact]
    public void ANewStartForgetsThePreviousRun()
    {
        var problem = new RosenbrockProblem(6);
        var minimizer = new LbfgsMinimizer();
        float[] x = problem.Start();
        minimizer.Minimize(problem, x, maxIterations: 7);
        float[] otherStart = [0.5f, -0.25f, 1.5f, 0.75f, -1f, 2f];

        var usedRecorder = new RecordingFunction(problem);
        float[] used = (float[])otherStart.Clone();
        LbfgsResult usedResult = minimizer.Minimize(usedRecorder, used, maxIterations: 500);
        var freshRecorder = new RecordingFunction(problem);
        float[] fresh = (float[])otherStart.Clone();
        LbfgsResult freshResult = new LbfgsMinimizer().Minimize(freshRecorder, fresh, maxIterations: 500);

        Assert.Equal(freshResult, usedResult);
        Assert.Equal(Bits(fresh), Bits(used));
        AssertSameEvaluations(freshRecorder, usedRecorder);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var problem = new RosenbrockProblem(2);
        var minimizer = new LbfgsMinimizer();
        Assert.Throws<ArgumentException>(() => minimizer.Minimize(problem, new float[3], 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => minimizer.Minimize(problem, new float[2], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LbfgsMinimizer(historySize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LbfgsMinimizer(sufficientDecrease: 0.5, curvature: 0.4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LbfgsMinimizer(gradientTolerance: double.NaN));

        // A minimizer that holds a run of 2 parameters refuses a function of 6 until it is reset.
        minimizer.Minimize(problem, problem.Start(), 1);
        var larger = new RosenbrockProblem(6);
        Assert.Throws<ArgumentException>(() => minimizer.Minimize(larger, larger.Start(), 1));
        minimizer.Reset();
        minimizer.Minimize(larger, larger.Start(), 1);
    }

    private static void AssertSameEvaluations(RecordingFunction expected, RecordingFunction actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int k = 0; k < expected.Count; k++)
        {
            Assert.Equal(Bits(expected.Evaluations[k].Point), Bits(actual.Evaluations[k].Point));
            Assert.Equal(Bits(expected.Evaluations[k].Gradient), Bits(actual.Evaluations[k].Gradient));
        }
    }

    /// <summary>Reports −∇f: every direction the minimiser believes descends goes up.</summary>
    private sealed class WrongSignGradient(IDifferentiableFunction inner) : IDifferentiableFunction
    {
        public int Dimension => inner.Dimension;

        public double Evaluate(ReadOnlySpan<float> point, Span<float> gradient)
        {
            double value = inner.Evaluate(point, gradient);
            for (int i = 0; i < gradient.Length; i++) gradient[i] = -gradient[i];
            return value;
        }
    }
}
