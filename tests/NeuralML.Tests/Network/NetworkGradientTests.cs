using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Tests.Support;
using NeuralML.Training;
using Xunit.Abstractions;

namespace NeuralML.Tests.Network;

/// <summary>
/// Back-propagation through <see cref="FeedForwardNetwork"/> against central differences of the loss, for every
/// parameter (the networks are small enough to check all of them).
/// <para>
/// Tolerances: ε = 1e-2, |error| ≤ 1e-2·max(|analytic|, |central|) + 1e-4. The heads compute the loss in double but
/// the forward pass is float: each loss carries a rounding error of about 2⁻²⁴·(a few units of loss), which the
/// difference quotient amplifies by 1/2ε to ~1e-5, so the absolute floor is 1e-4; truncation error is ε²/6·|L'''|,
/// ~2e-5·|L'''|, well inside 1e-2 relative. A smaller ε would raise the rounding term and a larger one the truncation
/// term; 1e-2 balances them for parameters of order 1. The worst error in these tests is under a tenth of the
/// tolerance, so the checks are not flaky; they are deterministic anyway (fixed seeds, single-threaded kernels).
/// </para>
/// </summary>
public class NetworkGradientTests(ITestOutputHelper output)
{
    private const double Epsilon = 1e-2, Relative = 1e-2, Absolute = 1e-4;

    public static TheoryData<string> Losses() => new(Enum.GetNames<LossKind>());

    public static TheoryData<Activation, string> ActivationsAndLosses()
    {
        var data = new TheoryData<Activation, string>();
        foreach (Activation activation in Enum.GetValues<Activation>())
            foreach (string loss in Enum.GetNames<LossKind>())
                data.Add(activation, loss);
        return data;
    }

    /// <summary>A network with random weights and non-zero biases, so that every parameter matters.</summary>
    private static FeedForwardNetwork RandomNetwork(int inputs, int[] hidden, Activation activation, int outputs, int seed)
    {
        var network = new FeedForwardNetwork(inputs, hidden, activation, outputs);
        var random = new Xoshiro256StarStar(seed);
        network.Initialize(random);
        for (int l = 0; l < network.Layers.Count; l++)
            foreach (ref float b in network.Biases(l)) b = (float)(0.4 * random.NextDouble() - 0.2);
        return network;
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void SingleDenseLayerGradientMatchesCentralDifferences(string lossName)
    {
        LossKind loss = Enum.Parse<LossKind>(lossName);
        FeedForwardNetwork network = RandomNetwork(inputs: 4, [], Activation.Relu, LossTargets.Outputs(loss), seed: 5);
        Assert.Single(network.Layers);
        var problem = new GradientProblem(network, loss, rows: 7, seed: 6);

        (double worst, int skipped) = problem.AssertGradientMatchesCentralDifferences(Epsilon, Relative, Absolute);
        output.WriteLine($"worst error / tolerance: {worst:F3}; perturbations across a kink, skipped: {skipped}");
    }

    [Theory]
    [MemberData(nameof(ActivationsAndLosses))]
    public void TwoHiddenLayerGradientMatchesCentralDifferences(Activation activation, string lossName)
    {
        LossKind loss = Enum.Parse<LossKind>(lossName);
        FeedForwardNetwork network = RandomNetwork(inputs: 5, [4, 3], activation, LossTargets.Outputs(loss), seed: 7);
        var problem = new GradientProblem(network, loss, rows: 6, seed: 8);

        (double worst, int skipped) = problem.AssertGradientMatchesCentralDifferences(Epsilon, Relative, Absolute);
        output.WriteLine($"worst error / tolerance: {worst:F3}; perturbations across a kink, skipped: {skipped}");
    }

    /// <summary>
    /// With dropout the loss is a function of the parameters only for a fixed mask: every evaluation draws its mask
    /// from a fresh generator with the same seed, so the plus and minus evaluations drop the same units.
    /// </summary>
    [Theory]
    [InlineData(Activation.Tanh, "SparseCategoricalCrossEntropy")]
    [InlineData(Activation.Relu, "SquaredError")]
    public void DropoutGradientMatchesCentralDifferencesForAFixedMask(Activation activation, string lossName)
    {
        LossKind loss = Enum.Parse<LossKind>(lossName);
        FeedForwardNetwork network = RandomNetwork(inputs: 5, [6, 5], activation, LossTargets.Outputs(loss), seed: 9);
        var problem = new GradientProblem(network, loss, rows: 6, seed: 10, () => new Dropout(0.3f, new Xoshiro256StarStar(99)));

        (double worst, int skipped) = problem.AssertGradientMatchesCentralDifferences(Epsilon, Relative, Absolute);
        output.WriteLine($"worst error / tolerance: {worst:F3}; perturbations across a kink, skipped: {skipped}");
    }

    /// <summary>A dropout object with rate 0 keeps everything: training mode must then equal evaluation mode exactly.</summary>
    [Fact]
    public void DropoutRateZeroEqualsNoDropout()
    {
        FeedForwardNetwork network = RandomNetwork(inputs: 5, [4, 3], Activation.Tanh, outputs: 3, seed: 11);
        var withDropout = new GradientProblem(network, LossKind.SparseCategoricalCrossEntropy, rows: 6, seed: 12,
            () => new Dropout(0f, new Xoshiro256StarStar(1)));
        var without = new GradientProblem(network, LossKind.SparseCategoricalCrossEntropy, rows: 6, seed: 12);

        Assert.Equal(without.Evaluate(), withDropout.Evaluate());
        Assert.Equal(without.Gradient(), withDropout.Gradient());
    }

    /// <summary>Evaluation mode: the network is the composition of the dense kernels and activations, layer by layer.</summary>
    [Fact]
    public void ForwardComposesTheLayers()
    {
        FeedForwardNetwork network = RandomNetwork(inputs: 3, [4], Activation.Sigmoid, outputs: 2, seed: 16);
        var input = new float[] { 0.5f, -1f, 2f, 0f, 0.25f, -0.75f };
        var workspace = new NetworkWorkspace(network, maxRows: 2);

        float[] logits = network.Forward(input, 2, workspace, DenseKernels.Default).ToArray();

        for (int r = 0; r < 2; r++)
        {
            var hidden = new double[4];
            for (int h = 0; h < 4; h++)
            {
                double z = network.Biases(0)[h];
                for (int i = 0; i < 3; i++) z += network.Weights(0)[i * 4 + h] * (double)input[r * 3 + i];
                hidden[h] = 1 / (1 + Math.Exp(-z));
            }
            for (int o = 0; o < 2; o++)
            {
                double z = network.Biases(1)[o];
                for (int h = 0; h < 4; h++) z += network.Weights(1)[h * 2 + o] * hidden[h];
                Assert.Equal(z, logits[r * 2 + o], 1e-5);
            }
        }
    }
}
