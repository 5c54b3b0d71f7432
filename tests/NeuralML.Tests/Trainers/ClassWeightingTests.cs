using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Training;

namespace NeuralML.Tests.Trainers;

/// <summary>
/// <see cref="ClassWeighting"/>: balanced weights by their formula, explicit ones by name, and the objective's gradient
/// with class-weighted rows against central differences of the class-weighted mean loss.
/// </summary>
public class ClassWeightingTests
{
    private static InMemoryTrainingSet Rows(float[] targets, float[]? weights = null)
        => new(Enumerable.Range(0, targets.Length * 2).Select(i => (float)Math.Sin(i)).ToArray(), targets, weights, 2);

    /// <summary>Class totals 3 (class 0, three rows of weight 1) and 1.5 (class 1, weights 1 and 0.5): n = 4.5, K = 2, so 0.75 and 1.5.</summary>
    [Fact]
    public void Balanced_weights_are_n_over_K_times_the_class_total()
    {
        InMemoryTrainingSet data = Rows([0, 0, 0, 1, 1], [1, 1, 1, 1, 0.5f]);
        float[] perClass = ClassWeighting.PerClass(ClassWeights.Balanced, data, null, 2, StringComparer.Ordinal, "Label")!;
        Assert.Equal([0.75f, 1.5f], perClass);
        InMemoryTrainingSet weighted = ClassWeighting.Apply(data, perClass, "Label");
        Assert.Equal([0.75f, 0.75f, 0.75f, 1.5f, 0.75f], weighted.Weights.ToArray());
    }

    [Fact]
    public void Explicit_weights_go_to_the_named_classes_and_the_rest_weigh_one()
    {
        float[] perClass = ClassWeighting.PerClass(ClassWeights.Explicit(new Dictionary<string, float> { ["b"] = 3f }), Rows([0, 1, 2]),
            ["a", "b", "c"], 3, StringComparer.Ordinal, "Label")!;
        Assert.Equal([1f, 3f, 1f], perClass);
        Assert.Null(ClassWeighting.PerClass(ClassWeights.None, Rows([0, 1]), ["a", "b"], 2, StringComparer.Ordinal, "Label"));
        Assert.Throws<InvalidOperationException>(() => ClassWeighting.Apply(Rows([0, 0]), [0f, 1f], "Label"));
    }

    /// <summary>
    /// The gradient of Σ w·c·L / Σ w·c (class weight c times example weight w) against central differences, h = 1e-3,
    /// tolerance 1e-3·|g| + 1e-5 (float forward passes; see <see cref="Training.RegularizationTests"/>).
    /// </summary>
    [Fact]
    public void The_class_weighted_gradient_matches_central_differences()
    {
        var random = new Xoshiro256StarStar(3);
        const int rows = 12;
        float[] targets = Enumerable.Range(0, rows).Select(i => (float)(i % 3)).ToArray();
        float[] examples = Enumerable.Range(0, rows).Select(_ => (float)(0.5 + random.NextDouble())).ToArray();
        InMemoryTrainingSet data = ClassWeighting.Apply(Rows(targets, examples), [0.5f, 2f, 1f], "Label");
        var network = new FeedForwardNetwork(2, [4], Activation.Tanh, 3);
        network.Initialize(random);
        var settings = new TrainingSettings { Loss = LossKind.SparseCategoricalCrossEntropy, StandardizeFeatures = false };
        var objective = new TrainingObjective(network, LossHead.Create(LossKind.SparseCategoricalCrossEntropy), DenseKernels.Default, data,
            new BatchBuffers(rows, 2, 1, 3, weighted: true), Standardizer.Fit(data, settings), false, Regularization.None, []);
        int[] all = Enumerable.Range(0, rows).ToArray();
        double Loss()
        {
            (double sum, double weight) = objective.Evaluate(all);
            return sum / weight;
        }
        Loss();
        float[] analytic = objective.Gradient.ToArray();
        const double h = 1e-3;
        for (int i = 0; i < network.Parameters.Length; i++)
        {
            float original = network.Parameters[i];
            float plus = (float)(original + h), minus = (float)(original - h);
            network.Parameters[i] = plus;
            double up = Loss();
            network.Parameters[i] = minus;
            double down = Loss();
            network.Parameters[i] = original;
            double central = (up - down) / ((double)plus - minus);
            Assert.True(Math.Abs(analytic[i] - central) <= 1e-3 * Math.Abs(central) + 1e-5, $"∂/∂p[{i}]: {analytic[i]:R} against {central:R}");
        }
    }
}
