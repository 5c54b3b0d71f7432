using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// L-BFGS as the trainer runs it: one iteration per epoch on the whole training set (with the standardisation folded
/// back afterwards), checked against optima computed independently in double; and the option combinations it refuses.
/// </summary>
public class LbfgsTrainingTests
{
    private static TrainingSettings Settings(LossKind loss) => new()
    {
        Loss = loss, Optimizer = OptimizerKind.Lbfgs, HiddenLayers = [], Epochs = 500, ValidationFraction = 0, Seed = 1,
    };

    /// <summary>
    /// y = 2x₀ − x₁ + 0.5x₂ + 3 + noise on 300 rows: a linear network with squared error is least squares, whose solution
    /// the test gets from the normal equations in double. L-BFGS reaches it to 1e-5 in every coefficient (the features
    /// and targets are O(1), so float parameters resolve about 1e-7).
    /// </summary>
    [Fact]
    public void A_linear_network_reaches_the_least_squares_solution()
    {
        const int rows = 300, features = 3;
        var random = new Xoshiro256StarStar(7);
        var x = new float[rows * features];
        var y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < features; j++) x[r * features + j] = (float)random.NextGaussian() + (j == 0 ? 0.3f * x[r * features + 1] : 0f);
            y[r] = (float)(2 * x[r * features] - x[r * features + 1] + 0.5 * x[r * features + 2] + 3 + 0.1 * random.NextGaussian());
        }
        TrainingResult result = new NetworkTrainer(Settings(LossKind.SquaredError)).Train(new InMemoryTrainingSet(x, y, null, features), outputs: 1);

        double[] solution = LeastSquares(x, y, rows, features);
        FeedForwardNetwork network = result.Network;
        for (int j = 0; j < features; j++) Assert.Equal(solution[j], network.Weights(0)[j], 1e-5);
        Assert.Equal(solution[features], network.Biases(0)[0], 1e-5);
        Assert.True(result.Converged, "L-BFGS should stop on its tolerance before 500 iterations");
    }

    /// <summary>
    /// Logistic regression on overlapping classes: at the weights L-BFGS returns, the gradient of the mean log-loss,
    /// computed in double by the test from the raw features, is at most 1e-4 in 2-norm.
    /// </summary>
    [Fact]
    public void Logistic_regression_reaches_its_optimum()
    {
        const int rows = 400, features = 4;
        var random = new Xoshiro256StarStar(8);
        var x = new float[rows * features];
        var y = new float[rows];
        double[] truth = [1.5, -2, 0.5, 1];
        for (int r = 0; r < rows; r++)
        {
            double z = -0.3;
            for (int j = 0; j < features; j++)
            {
                x[r * features + j] = (float)random.NextGaussian();
                z += truth[j] * x[r * features + j];
            }
            y[r] = random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1f : 0f;
        }
        TrainingResult result = new NetworkTrainer(Settings(LossKind.BinaryCrossEntropy)).Train(new InMemoryTrainingSet(x, y, null, features), outputs: 1);

        FeedForwardNetwork network = result.Network;
        var gradient = new double[features + 1];
        for (int r = 0; r < rows; r++)
        {
            double z = network.Biases(0)[0];
            for (int j = 0; j < features; j++) z += (double)network.Weights(0)[j] * x[r * features + j];
            double residual = 1 / (1 + Math.Exp(-z)) - y[r];
            for (int j = 0; j < features; j++) gradient[j] += residual * x[r * features + j] / rows;
            gradient[features] += residual / rows;
        }
        double norm = Math.Sqrt(gradient.Sum(g => g * g));
        Assert.True(norm <= 1e-4, $"gradient norm {norm:E3} at the returned weights");
    }

    public static TheoryData<string> RefusedCombinations() => new("DropoutRate", "LearningRateSchedule", "GradientClipNorm", "WeightDecay", "BatchNormalization");

    [Theory]
    [MemberData(nameof(RefusedCombinations))]
    public void Combinations_that_make_no_sense_are_refused_with_the_option_named(string option)
    {
        TrainingSettings settings = Settings(LossKind.SquaredError);
        settings = option switch
        {
            "DropoutRate" => settings with { DropoutRate = 0.1f },
            "LearningRateSchedule" => settings with { LearningRateSchedule = LearningRateSchedule.OneCycle },
            "GradientClipNorm" => settings with { GradientClipNorm = 1f },
            "BatchNormalization" => settings with { BatchNormalization = true },
            _ => settings with { WeightDecay = 0.01f },
        };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(settings.Validate);
        Assert.Equal(option, ex.ParamName);
        Assert.Contains("L-BFGS", ex.Message);
    }

    /// <summary>Automatic epochs give L-BFGS scikit-learn's 200 iterations (one per epoch), whatever the batch size.</summary>
    [Fact]
    public void Automatic_epochs_are_200_iterations()
        => Assert.Equal(200, (Settings(LossKind.SquaredError) with { Epochs = null, BatchSize = 8 }).ForRows(10_000).Epochs);

    /// <summary>The normal equations (XᵀX)β = Xᵀy with a column of ones, solved by Gaussian elimination with partial pivoting in double.</summary>
    private static double[] LeastSquares(float[] x, float[] y, int rows, int features)
    {
        int n = features + 1;
        var a = new double[n, n + 1];
        for (int r = 0; r < rows; r++)
        {
            double[] row = [.. Enumerable.Range(0, features).Select(j => (double)x[r * features + j]), 1.0];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++) a[i, j] += row[i] * row[j];
                a[i, n] += row[i] * y[r];
            }
        }
        for (int c = 0; c < n; c++)
        {
            int pivot = Enumerable.Range(c, n - c).MaxBy(r => Math.Abs(a[r, c]));
            for (int j = 0; j <= n; j++) (a[c, j], a[pivot, j]) = (a[pivot, j], a[c, j]);
            for (int r = 0; r < n; r++)
            {
                if (r == c) continue;
                double f = a[r, c] / a[c, c];
                for (int j = c; j <= n; j++) a[r, j] -= f * a[c, j];
            }
        }
        return Enumerable.Range(0, n).Select(i => a[i, n] / a[i, i]).ToArray();
    }
}
