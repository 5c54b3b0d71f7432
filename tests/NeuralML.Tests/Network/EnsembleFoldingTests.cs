using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;

namespace NeuralML.Tests.Network;

/// <summary>
/// <see cref="EnsembleFolding"/>: the folded network's logits are the mean of its members' logits, computed here by
/// running each member on its own (in float, on the portable kernels; the fold only moves weights around, so the
/// difference is the summation order of the last layer and the division: 1e-5·(1 + |z|) is far above that and far
/// below what a misplaced block, bias or slope would give). Odd widths and member counts, every activation with its own
/// parameters, and networks without hidden layers.
/// </summary>
public class EnsembleFoldingTests
{
    private const int Inputs = 7, Rows = 19;

    public static TheoryData<int[], Activation, int, int> Shapes() => new()
    {
        { [5, 3], Activation.Relu, 1, 3 },
        { [5, 3], Activation.Relu, 4, 2 },
        { [6], Activation.PRelu, 3, 5 },
        { [9, 4, 2], Activation.Tanh, 1, 1 },
        { [3], Activation.Gelu, 2, 7 },
        { [], Activation.Relu, 3, 4 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_folded_network_outputs_the_mean_of_its_members_logits(int[] hidden, Activation activation, int outputs, int members)
    {
        var random = new Xoshiro256StarStar(11);
        FeedForwardNetwork[] networks = Enumerable.Range(0, members).Select(_ =>
        {
            var network = new FeedForwardNetwork(Inputs, hidden, activation, outputs);
            network.Initialize(random);
            // Non-zero biases and slopes away from their starting value, so that a misplaced one shows.
            for (int l = 0; l < network.Layers.Count; l++)
            {
                foreach (ref float b in network.Biases(l)) b = (float)(0.4 * random.NextDouble() - 0.2);
                foreach (ref float s in network.Slopes(l)) s = (float)random.NextDouble();
            }
            return network;
        }).ToArray();
        var features = new float[Rows * Inputs];
        for (int i = 0; i < features.Length; i++) features[i] = (float)random.NextGaussian();
        DenseKernels kernels = DenseKernels.Create(threads: 1, "Portable");

        FeedForwardNetwork folded = EnsembleFolding.Fold(networks);
        float[] logits = folded.Forward(features, Rows, new NetworkWorkspace(folded, Rows), kernels).ToArray();

        var mean = new double[Rows * outputs];
        foreach (FeedForwardNetwork network in networks)
        {
            float[] own = network.Forward(features, Rows, new NetworkWorkspace(network, Rows), kernels).ToArray();
            for (int i = 0; i < mean.Length; i++) mean[i] += own[i] / (double)members;
        }
        Assert.Equal(hidden.Select(width => width * (members > 1 ? members : 1)), folded.LayerSizes[1..^1]);
        for (int i = 0; i < mean.Length; i++)
            Assert.Equal(mean[i], logits[i], 1e-5 * (1 + Math.Abs(mean[i])));
    }

    [Fact]
    public void Members_of_different_shapes_are_refused()
    {
        var a = new FeedForwardNetwork(Inputs, [4], Activation.Relu, 1);
        var b = new FeedForwardNetwork(Inputs, [5], Activation.Relu, 1);
        var c = new FeedForwardNetwork(Inputs, [4], Activation.Tanh, 1);
        Assert.Throws<ArgumentException>(() => EnsembleFolding.Fold([a, b]));
        Assert.Throws<ArgumentException>(() => EnsembleFolding.Fold([a, c]));
        Assert.Throws<ArgumentException>(() => EnsembleFolding.Fold([]));
    }
}
