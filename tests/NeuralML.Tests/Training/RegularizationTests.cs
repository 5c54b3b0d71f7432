using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// The penalties and the gradient clipping of <see cref="TrainingObjective"/>: the L1 kernel against its formula, the
/// penalised objective's gradient against central differences, and the clipped gradient's norm.
/// </summary>
public class RegularizationTests
{
    [Fact]
    public void The_L1_kernel_adds_lambda_times_the_sign_at_every_length()
    {
        var random = new Xoshiro256StarStar(5);
        for (int length = 0; length <= 67; length++)
        {
            float[] weights = Enumerable.Range(0, length).Select(i => i % 7 == 3 ? (i % 2 == 0 ? 0f : -0f) : (float)(2 * random.NextDouble() - 1)).ToArray();
            float[] gradient = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray();
            float[] expected = gradient.Select((g, i) => g + 0.3f * (weights[i] > 0 ? 1f : weights[i] < 0 ? -1f : 0f)).ToArray();
            RegularizationKernels.AddL1Gradient(weights, gradient, 0.3f);
            Assert.Equal(expected, gradient);
        }
    }

    private static (TrainingObjective Objective, FeedForwardNetwork Network, int[] Rows) Problem(Regularization regularization)
    {
        var random = new Xoshiro256StarStar(9);
        const int rows = 12, features = 3;
        var x = Enumerable.Range(0, rows * features).Select(_ => (float)random.NextGaussian()).ToArray();
        var y = Enumerable.Range(0, rows).Select(i => (float)(i % 2)).ToArray();
        var data = new InMemoryTrainingSet(x, y, null, features);
        var network = new FeedForwardNetwork(features, [5], Activation.Tanh, 1);
        network.Initialize(random);
        for (int l = 0; l < network.Layers.Count; l++)
            foreach (ref float b in network.Biases(l)) b = (float)(0.2 * random.NextDouble() - 0.1);
        var settings = new TrainingSettings { Loss = LossKind.BinaryCrossEntropy, StandardizeFeatures = false };
        var objective = new TrainingObjective(network, LossHead.Create(LossKind.BinaryCrossEntropy), DenseKernels.Default, data,
            new BatchBuffers(rows, features, 1, 1, weighted: false), Standardizer.Fit(data, settings), false, regularization, []);
        return (objective, network, Enumerable.Range(0, rows).ToArray());
    }

    /// <summary>
    /// The gradient of mean loss + ½λ₂‖W‖² + λ₁‖W‖₁ (biases unpenalised) against central differences, h = 1e-3, for
    /// every parameter; weights are initialised away from 0 (He/Glorot draws), so |w| ≫ h and no difference straddles
    /// L1's kink. Tolerance 1e-3·|g| + 1e-5: float forward passes give the loss about 1e-7 of noise, ÷ 2h.
    /// </summary>
    [Theory]
    [InlineData(0.05f, 0f)]
    [InlineData(0f, 0.05f)]
    [InlineData(0.03f, 0.02f)]
    public void The_penalised_gradient_matches_central_differences(float l2, float l1)
    {
        (TrainingObjective objective, FeedForwardNetwork network, int[] rows) = Problem(new Regularization(l2, l1, null));
        double Objective()
        {
            (double sum, double weight) = objective.Evaluate(rows);
            double penalty = 0;
            for (int l = 0; l < network.Layers.Count; l++)
                foreach (float w in network.Weights(l)) penalty += 0.5 * l2 * w * w + l1 * Math.Abs(w);
            return sum / weight + penalty;
        }
        Objective();
        float[] analytic = objective.Gradient.ToArray();
        const double h = 1e-3;
        for (int i = 0; i < network.Parameters.Length; i++)
        {
            float original = network.Parameters[i];
            float plus = (float)(original + h), minus = (float)(original - h);
            network.Parameters[i] = plus;
            double up = Objective();
            network.Parameters[i] = minus;
            double down = Objective();
            network.Parameters[i] = original;
            double central = (up - down) / ((double)plus - minus);
            Assert.True(Math.Abs(analytic[i] - central) <= 1e-3 * Math.Abs(central) + 1e-5,
                $"∂/∂p[{i}]: back-propagation {analytic[i]:R}, central difference {central:R}.");
        }
    }

    [Fact]
    public void A_gradient_above_the_clipping_norm_is_scaled_down_to_it_and_one_below_is_left_alone()
    {
        (TrainingObjective free, _, int[] rows) = Problem(Regularization.None);
        free.Evaluate(rows);
        float[] unclipped = free.Gradient.ToArray();
        double norm = Math.Sqrt(unclipped.Sum(g => (double)g * g));

        (TrainingObjective clipped, _, _) = Problem(new Regularization(0f, 0f, (float)(norm / 4)));
        clipped.Evaluate(rows);
        float[] scaled = clipped.Gradient.ToArray();
        Assert.Equal(norm / 4, Math.Sqrt(scaled.Sum(g => (double)g * g)), norm * 1e-5);
        for (int i = 0; i < scaled.Length; i++) Assert.Equal(unclipped[i] / 4, scaled[i], Math.Abs(unclipped[i]) * 1e-5 + 1e-9);

        (TrainingObjective loose, _, _) = Problem(new Regularization(0f, 0f, (float)(norm * 2)));
        loose.Evaluate(rows);
        Assert.Equal(unclipped, loose.Gradient.ToArray());
    }
}
