using NeuralML.Numerics;
using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// ½‖Aw − b‖²/n with gradient Aᵀ(Aw − b)/n, in double from float w. A is n×p: Gaussian columns that share a common
/// Gaussian component (so they are correlated, not orthogonal) and grow in scale from column to column; b = A·w₀ + noise,
/// with w₀ of order 1, so the least-squares solution is of order 1 as well.
/// </summary>
internal sealed class LeastSquaresProblem : IDifferentiableFunction
{
    private readonly double[,] _a;
    private readonly double[] _b;

    public LeastSquaresProblem(int rows = 200, int columns = 6, long seed = 11)
    {
        var random = new Xoshiro256StarStar(seed);
        _a = new double[rows, columns];
        _b = new double[rows];
        double[] truth = new double[columns];
        for (int j = 0; j < columns; j++) truth[j] = (j % 2 == 0 ? 1 : -1) * (0.5 + 0.25 * j);
        for (int i = 0; i < rows; i++)
        {
            double shared = random.NextGaussian();
            for (int j = 0; j < columns; j++) _a[i, j] = (1 + 0.3 * j) * (random.NextGaussian() + 0.7 * shared);
            for (int j = 0; j < columns; j++) _b[i] += _a[i, j] * truth[j];
            _b[i] += 0.3 * random.NextGaussian();
        }
    }

    public int Dimension => _a.GetLength(1);

    public double Evaluate(ReadOnlySpan<float> point, Span<float> gradient)
    {
        int rows = _a.GetLength(0), columns = Dimension;
        double[] dw = new double[columns];
        double sum = 0;
        for (int i = 0; i < rows; i++)
        {
            double residual = -_b[i];
            for (int j = 0; j < columns; j++) residual += _a[i, j] * point[j];
            sum += residual * residual;
            for (int j = 0; j < columns; j++) dw[j] += residual * _a[i, j];
        }
        for (int j = 0; j < columns; j++) gradient[j] = (float)(dw[j] / rows);
        return 0.5 * sum / rows;
    }

    /// <summary>The minimiser from the normal equations AᵀA·w = Aᵀb, solved in double.</summary>
    public double[] Solve()
    {
        int rows = _a.GetLength(0), columns = Dimension;
        var normal = new double[columns, columns];
        double[] rhs = new double[columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                rhs[j] += _a[i, j] * _b[i];
                for (int k = 0; k < columns; k++) normal[j, k] += _a[i, j] * _a[i, k];
            }
        }
        return Cholesky.Solve(normal, rhs);
    }
}

/// <summary>
/// Logistic regression: the mean log-loss (1/n)·Σ [log(1 + eᶻ) − y·z], z = x·w, of n rows of <c>features</c>
/// Gaussian features plus a bias column, in double from float w. Labels are drawn from the model itself, y ~
/// Bernoulli(σ(x·w₀)), so the classes overlap (the data are not separable) and the minimiser is finite.
/// </summary>
internal sealed class LogisticRegressionProblem : IDifferentiableFunction
{
    private readonly double[,] _x;
    private readonly double[] _y;

    public LogisticRegressionProblem(int rows = 300, int features = 4, long seed = 5)
    {
        var random = new Xoshiro256StarStar(seed);
        int columns = features + 1;
        _x = new double[rows, columns];
        _y = new double[rows];
        double[] truth = [1.0, -0.5, 0.75, 0.25, 0.3];
        for (int i = 0; i < rows; i++)
        {
            double z = 0;
            for (int j = 0; j < columns; j++)
            {
                _x[i, j] = j == features ? 1.0 : random.NextGaussian();
                z += _x[i, j] * truth[j % truth.Length];
            }
            _y[i] = random.NextDouble() < Sigmoid(z) ? 1 : 0;
        }
    }

    public int Dimension => _x.GetLength(1);

    public double Evaluate(ReadOnlySpan<float> point, Span<float> gradient)
    {
        double[] w = new double[Dimension];
        for (int j = 0; j < w.Length; j++) w[j] = point[j];
        double[] dw = new double[Dimension];
        double loss = LossAndGradient(w, dw, hessian: null);
        for (int j = 0; j < dw.Length; j++) gradient[j] = (float)dw[j];
        return loss;
    }

    /// <summary>The mean log-loss at <paramref name="w"/>; its gradient into <paramref name="dw"/>, and its Hessian (1/n)·Σ σ(1 − σ)·x·xᵀ if asked.</summary>
    public double LossAndGradient(double[] w, double[] dw, double[,]? hessian)
    {
        int rows = _x.GetLength(0), columns = Dimension;
        Array.Clear(dw);
        if (hessian is not null) Array.Clear(hessian);
        double loss = 0;
        for (int i = 0; i < rows; i++)
        {
            double z = 0;
            for (int j = 0; j < columns; j++) z += _x[i, j] * w[j];
            // log(1 + eᶻ) without overflow.
            loss += Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z))) - _y[i] * z;
            double p = Sigmoid(z);
            for (int j = 0; j < columns; j++)
            {
                dw[j] += (p - _y[i]) * _x[i, j] / rows;
                if (hessian is null) continue;
                for (int k = 0; k < columns; k++) hessian[j, k] += p * (1 - p) * _x[i, j] * _x[i, k] / rows;
            }
        }
        return loss / rows;
    }

    /// <summary>The minimiser by Newton's method in double from w = 0, to a step below 1e-14.</summary>
    public double[] SolveByNewton()
    {
        int columns = Dimension;
        double[] w = new double[columns], dw = new double[columns];
        var hessian = new double[columns, columns];
        for (int iteration = 0; iteration < 100; iteration++)
        {
            LossAndGradient(w, dw, hessian);
            double[] step = Cholesky.Solve(hessian, dw);
            double largest = 0;
            for (int j = 0; j < columns; j++)
            {
                w[j] -= step[j];
                largest = Math.Max(largest, Math.Abs(step[j]));
            }
            if (largest < 1e-14) return w;
        }
        throw new InvalidOperationException("Newton's method did not converge: are the classes separable?");
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
}

/// <summary>The chained Rosenbrock function Σᵢ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², in double from float x; minimum 0 at (1, …, 1).</summary>
internal sealed class RosenbrockProblem(int dimension = 2) : IDifferentiableFunction
{
    public int Dimension => dimension;

    /// <summary>The classic start (−1.2, 1), repeated.</summary>
    public float[] Start()
    {
        float[] start = new float[dimension];
        for (int i = 0; i < dimension; i++) start[i] = i % 2 == 0 ? -1.2f : 1f;
        return start;
    }

    public double Evaluate(ReadOnlySpan<float> point, Span<float> gradient)
    {
        double[] dx = new double[dimension];
        double value = 0;
        for (int i = 0; i + 1 < dimension; i++)
        {
            double a = point[i], b = point[i + 1];
            double valley = b - a * a, offset = 1 - a;
            value += 100 * valley * valley + offset * offset;
            dx[i] += -400 * a * valley - 2 * offset;
            dx[i + 1] += 200 * valley;
        }
        for (int i = 0; i < dimension; i++) gradient[i] = (float)dx[i];
        return value;
    }
}

/// <summary>Passes evaluations through to a function and keeps a copy of each: the point, the value and the gradient.</summary>
internal sealed class RecordingFunction(IDifferentiableFunction inner) : IDifferentiableFunction
{
    public readonly record struct Evaluation(float[] Point, double Value, float[] Gradient);

    public List<Evaluation> Evaluations { get; } = [];

    public int Count => Evaluations.Count;

    public int Dimension => inner.Dimension;

    public double Evaluate(ReadOnlySpan<float> point, Span<float> gradient)
    {
        double value = inner.Evaluate(point, gradient);
        Evaluations.Add(new Evaluation(point.ToArray(), value, gradient.ToArray()));
        return value;
    }
}

/// <summary>A symmetric positive definite solve in double, for the tests' reference solutions.</summary>
internal static class Cholesky
{
    /// <summary>Solves M·x = b by M = LLᵀ, forward then back substitution.</summary>
    public static double[] Solve(double[,] m, double[] b)
    {
        int n = b.Length;
        var l = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            double diagonal = m[j, j];
            for (int k = 0; k < j; k++) diagonal -= l[j, k] * l[j, k];
            if (!(diagonal > 0)) throw new InvalidOperationException("The matrix is not positive definite.");
            l[j, j] = Math.Sqrt(diagonal);
            for (int i = j + 1; i < n; i++)
            {
                double sum = m[i, j];
                for (int k = 0; k < j; k++) sum -= l[i, k] * l[j, k];
                l[i, j] = sum / l[j, j];
            }
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++) sum -= l[i, k] * x[k];
            x[i] = sum / l[i, i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = x[i];
            for (int k = i + 1; k < n; k++) sum -= l[k, i] * x[k];
            x[i] = sum / l[i, i];
        }
        return x;
    }
}

/// <summary>The problems above by name, with their starts, for theories over several of them.</summary>
internal static class LbfgsProblems
{
    public const string LeastSquares = "least squares", Logistic = "logistic", Rosenbrock2 = "rosenbrock 2", Rosenbrock6 = "rosenbrock 6",
        FlatQuadratic = "flat quadratic";

    public static IDifferentiableFunction Create(string name) => name switch
    {
        LeastSquares => new LeastSquaresProblem(),
        Logistic => new LogisticRegressionProblem(),
        Rosenbrock2 => new RosenbrockProblem(2),
        Rosenbrock6 => new RosenbrockProblem(6),
        FlatQuadratic => new FlatQuadraticProblem(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown problem."),
    };

    /// <summary>Zero for the regressions, (−1.2, 1, …) for Rosenbrock.</summary>
    public static float[] Start(IDifferentiableFunction function)
        => function is RosenbrockProblem rosenbrock ? rosenbrock.Start() : new float[function.Dimension];

    /// <summary>The bits of each value, for bit-for-bit comparisons that xUnit can print.</summary>
    public static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
}

/// <summary>
/// ½·Σᵢ cᵢ·(xᵢ − tᵢ)² with small curvatures cᵢ from 0.001 to 0.01 and the minimiser t from 10 down to 4: from 0 the
/// gradient is short, so the first trial step (1 along −g) falls far short of the minimum along the line and the line
/// search has to extrapolate.
/// </summary>
internal sealed class FlatQuadraticProblem(int dimension = 4) : IDifferentiableFunction
{
    public int Dimension => dimension;

    private static double Curvature(int i, int dimension) => dimension == 1 ? 0.001 : Math.Pow(10, -3 + (double)i / (dimension - 1));

    private static double Target(int i, int dimension) => dimension == 1 ? 10 : 10 - 6.0 * i / (dimension - 1);

    public double Evaluate(ReadOnlySpan<float> point, Span<float> gradient)
    {
        double value = 0;
        for (int i = 0; i < dimension; i++)
        {
            double offset = point[i] - Target(i, dimension), c = Curvature(i, dimension);
            value += 0.5 * c * offset * offset;
            gradient[i] = (float)(c * offset);
        }
        return value;
    }
}
