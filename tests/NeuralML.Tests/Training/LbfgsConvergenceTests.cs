using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// <see cref="LbfgsMinimizer"/> with its default settings reaches the known minimisers of a linear least-squares
/// problem (normal equations), a logistic regression (Newton's method) and the Rosenbrock function.
/// </summary>
public class LbfgsConvergenceTests
{
    /// <summary>
    /// ½‖Aw − b‖²/n, A 200×6 with correlated columns, against the normal equations solved in double: within 1e-5 per
    /// coordinate (3.1e-7 is reached, in 12 iterations and 13 evaluations). 1e-5 is within reach of float parameters
    /// because the solution is of order 1 (entries 0.48 to 1.75), where floats are 1.2e-7 apart or closer: the nearest
    /// float point is within 6e-8 of the solution, the objective is computed in double at float points, and the
    /// minimiser's own arithmetic is in double, so float resolution limits the result some hundred times below 1e-5.
    /// </summary>
    [Fact]
    public void LeastSquaresReachesTheNormalEquationsSolution()
    {
        var problem = new LeastSquaresProblem();
        double[] expected = problem.Solve();
        float[] w = new float[problem.Dimension];

        LbfgsResult result = new LbfgsMinimizer().Minimize(problem, w, maxIterations: 200);

        Assert.True(result.Stop is LbfgsStop.GradientTolerance or LbfgsStop.LossTolerance, result.ToString());
        for (int j = 0; j < w.Length; j++) Assert.Equal(expected[j], w[j], 1e-5);
    }

    /// <summary>
    /// Mean log-loss of 300 rows (4 Gaussian features and a bias, labels drawn from a logistic model, so the classes
    /// overlap and the minimiser is finite; Newton's method converging shows it). L-BFGS ends with ‖∇f‖₂ ≤ 1e-4 (4.4e-7
    /// is reached), recomputed here in double at the float point it returns, and within 1e-4 of Newton's solution per
    /// coordinate (3.1e-6 is reached).
    /// </summary>
    [Fact]
    public void LogisticRegressionMatchesNewtonsMethod()
    {
        var problem = new LogisticRegressionProblem();
        double[] expected = problem.SolveByNewton();
        float[] w = new float[problem.Dimension];

        LbfgsResult result = new LbfgsMinimizer().Minimize(problem, w, maxIterations: 200);

        Assert.True(result.Stop is LbfgsStop.GradientTolerance or LbfgsStop.LossTolerance, result.ToString());
        double[] gradient = new double[w.Length];
        problem.LossAndGradient(Array.ConvertAll(w, v => (double)v), gradient, hessian: null);
        double norm = Math.Sqrt(gradient.Sum(g => g * g));
        Assert.True(norm <= 1e-4, $"‖∇f‖₂ = {norm}");
        for (int j = 0; j < w.Length; j++) Assert.Equal(expected[j], w[j], 1e-4);
    }

    /// <summary>
    /// From (−1.2, 1, …) along the curved valley to (1, …, 1), within 1e-3 per coordinate: in 2 dimensions exactly
    /// (36 iterations), in 6 within 1.7e-6 (52 iterations, stopped by the loss tolerance at f = 1.2e-10).
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(6)]
    public void RosenbrockReachesTheMinimum(int dimension)
    {
        var problem = new RosenbrockProblem(dimension);
        float[] x = problem.Start();

        LbfgsResult result = new LbfgsMinimizer().Minimize(problem, x, maxIterations: 200);

        Assert.True(result.Stop is LbfgsStop.GradientTolerance or LbfgsStop.LossTolerance, result.ToString());
        foreach (float value in x) Assert.Equal(1.0, value, 1e-3);
    }
}
