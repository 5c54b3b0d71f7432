using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Tests.Support;
using NeuralML.Training;
using Xunit.Abstractions;

namespace NeuralML.Tests.Network;

/// <summary>
/// Batch normalisation in the network: the gradient of training mode (batch statistics) against central differences,
/// the running statistics' update against its formula, and the folded network against unfolded evaluation mode.
/// </summary>
public class BatchNormalizationTests(ITestOutputHelper output)
{
    private static FeedForwardNetwork Network(int seed, Activation activation = Activation.Tanh, int outputs = 2)
    {
        var network = new FeedForwardNetwork(4, [5, 3], activation, outputs, batchNormalization: true);
        var random = new Xoshiro256StarStar(seed);
        network.Initialize(random);
        for (int l = 0; l < network.Layers.Count; l++)
        {
            foreach (ref float b in network.Biases(l)) b = (float)(0.4 * random.NextDouble() - 0.2);
            foreach (ref float g in network.Scale(l)) g = (float)(0.5 + random.NextDouble());
            foreach (ref float s in network.Shift(l)) s = (float)(random.NextDouble() - 0.5);
        }
        return network;
    }

    [Fact]
    public void Only_the_hidden_layers_are_normalised_and_their_parameters_follow_the_biases()
    {
        FeedForwardNetwork network = Network(1);
        Assert.Equal([true, true, false], network.Layers.Select(l => l.BatchNormalization));
        Assert.Equal(4 * 5 + 5 + 4 * 5 + 5 * 3 + 3 + 4 * 3 + 3 * 2 + 2, network.Parameters.Length);
        Assert.Equal(network.Layers[0].BiasOffset + 5, network.Layers[0].NormalizationOffset);
        Assert.Equal(0, network.Scale(2).Length);
    }

    /// <summary>
    /// Training mode: every parameter's back-propagated gradient against central differences of the loss with batch
    /// statistics (the tolerances of <see cref="NetworkGradientTests"/>). γ, β and the weights all change the batch's
    /// normalised values; the running statistics do not enter training mode, and their gradient is 0.
    /// </summary>
    [Theory]
    [InlineData(nameof(LossKind.SparseCategoricalCrossEntropy))]
    [InlineData(nameof(LossKind.SquaredError))]
    public void Training_mode_gradient_matches_central_differences(string lossName)
    {
        LossKind loss = Enum.Parse<LossKind>(lossName);
        FeedForwardNetwork network = Network(2, outputs: LossTargets.Outputs(loss));
        var problem = new GradientProblem(network, loss, rows: 9, seed: 4, newParts: () => []);
        (double worst, int skipped) = problem.AssertGradientMatchesCentralDifferences(1e-2, 1e-2, 1e-4);
        output.WriteLine($"worst error / tolerance: {worst:F3}; skipped: {skipped}");
        float[] gradient = problem.Gradient();
        for (int l = 0; l < 2; l++)
        {
            DenseLayerShape layer = network.Layers[l];
            Assert.All(gradient.AsSpan(layer.NormalizationOffset + 2 * layer.Outputs, 2 * layer.Outputs).ToArray(), g => Assert.Equal(0f, g));
        }
    }

    /// <summary>One training pass from m = 0, v = 1: m = 0.1·μ, v = 0.9 + 0.1·σ²·R/(R − 1), per unit, against the batch's statistics in double.</summary>
    [Fact]
    public void Training_updates_the_running_statistics_by_their_formula()
    {
        FeedForwardNetwork network = Network(5);
        for (int l = 0; l < 2; l++)
        {
            network.RunningMean(l).Clear();
            network.RunningVariance(l).Fill(1f);
        }
        const int rows = 7;
        var random = new Xoshiro256StarStar(6);
        float[] input = Enumerable.Range(0, rows * 4).Select(_ => (float)random.NextGaussian()).ToArray();
        var workspace = new NetworkWorkspace(network, rows);
        network.Forward(input, rows, workspace, DenseKernels.Default, trainingParts: []);

        // The first layer's dense outputs, in double.
        for (int j = 0; j < 5; j++)
        {
            var z = new double[rows];
            for (int r = 0; r < rows; r++)
            {
                z[r] = network.Biases(0)[j];
                for (int i = 0; i < 4; i++) z[r] += (double)network.Weights(0)[i * 5 + j] * input[r * 4 + i];
            }
            double mean = z.Average(), unbiased = z.Sum(v => (v - mean) * (v - mean)) / (rows - 1);
            Assert.Equal(0.1 * mean, network.RunningMean(0)[j], 1e-6);
            Assert.Equal(0.9 + 0.1 * unbiased, network.RunningVariance(0)[j], 1e-5);
        }
    }

    /// <summary>
    /// The folded network (plain dense layers) gives unfolded evaluation mode's logits within 1e-5 relative (+1e-6):
    /// folding rounds each weight and bias once. Its parameters are those of a network without normalisation.
    /// </summary>
    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.PRelu)]
    [InlineData(Activation.Gelu)]
    public void Folding_gives_the_outputs_of_evaluation_mode(Activation activation)
    {
        FeedForwardNetwork network = Network(7, activation);
        var random = new Xoshiro256StarStar(8);
        for (int l = 0; l < 2; l++)
        {
            foreach (ref float m in network.RunningMean(l)) m = (float)random.NextGaussian();
            foreach (ref float v in network.RunningVariance(l)) v = (float)(0.2 + random.NextDouble());
        }
        const int rows = 11;
        float[] input = Enumerable.Range(0, rows * 4).Select(_ => (float)random.NextGaussian()).ToArray();
        float[] evaluation = network.Forward(input, rows, new NetworkWorkspace(network, rows), DenseKernels.Default).ToArray();

        FeedForwardNetwork folded = network.FoldBatchNormalization();
        Assert.False(folded.HasBatchNormalization);
        Assert.Equal(new FeedForwardNetwork(4, [5, 3], activation, 2).Parameters.Length, folded.Parameters.Length);
        float[] plain = folded.Forward(input, rows, new NetworkWorkspace(folded, rows), DenseKernels.Default).ToArray();
        for (int i = 0; i < evaluation.Length; i++)
            Assert.True(Math.Abs(plain[i] - evaluation[i]) <= 1e-5 * Math.Abs(evaluation[i]) + 1e-6, $"logit {i}: folded {plain[i]:R}, evaluation mode {evaluation[i]:R}");
    }

    [Fact]
    public void A_network_with_normalisation_is_folded_before_it_is_saved()
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        Assert.Throws<InvalidOperationException>(() => NetworkFormat.Write(writer, Network(9)));
    }
}
