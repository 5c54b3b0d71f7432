using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Network;

/// <summary>
/// <see cref="NetworkScorer"/> with each <see cref="OutputHead"/>, on every kernel path under test with four threads:
/// a batch gives each row the same bits as scoring that row alone, the logits are those of
/// <see cref="FeedForwardNetwork.Forward"/> in evaluation mode (bit for bit, and within float rounding of a forward
/// pass computed here in double), and the outputs are <see cref="OutputHeads.Apply"/> of the logits (bit for bit, and
/// within float rounding of σ and softmax computed here in double).
/// </summary>
public class NetworkScorerTests
{
    private const int Inputs = 13, Rows = 67;
    private static readonly int[] Hidden = [33, 17];

    /// <summary>Head names (the enum is internal, so a public theory takes its name) and kernel paths.</summary>
    public static TheoryData<string, string> HeadsAndPaths()
    {
        var data = new TheoryData<string, string>();
        foreach (string head in Enum.GetNames<OutputHead>())
            foreach (string path in KernelPaths.UnderTest)
                data.Add(head, path);
        return data;
    }

    private static int Outputs(OutputHead head) => head == OutputHead.Softmax ? 4 : 1;

    /// <summary>A ReLU network with random weights and biases, and rows of N(0, 1) features.</summary>
    private static (FeedForwardNetwork Network, float[] Features) Problem(OutputHead head, int seed)
    {
        var network = new FeedForwardNetwork(Inputs, Hidden, Activation.Relu, Outputs(head));
        var random = new Xoshiro256StarStar(seed);
        network.Initialize(random);
        for (int l = 0; l < network.Layers.Count; l++)
            foreach (ref float b in network.Biases(l)) b = (float)(0.4 * random.NextDouble() - 0.2);
        var features = new float[Rows * Inputs];
        for (int i = 0; i < features.Length; i++) features[i] = (float)random.NextGaussian();
        return (network, features);
    }

    private static int[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++) bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        return bits;
    }

    [Theory]
    [MemberData(nameof(HeadsAndPaths))]
    public void BatchGivesEachRowTheBitsOfScoringItAlone(string headName, string path)
    {
        OutputHead head = Enum.Parse<OutputHead>(headName);
        (FeedForwardNetwork network, float[] features) = Problem(head, seed: 30);
        DenseKernels kernels = DenseKernels.Create(threads: 4, path);
        int width = network.OutputCount;
        var batchLogits = new float[Rows * width];
        var batchOutputs = new float[Rows * width];

        new NetworkScorer(network, head, kernels, maxRows: Rows).Score(features, Rows, batchLogits, batchOutputs);

        var single = new NetworkScorer(network, head, kernels, maxRows: 1);
        var logits = new float[width];
        var outputs = new float[width];
        for (int r = 0; r < Rows; r++)
        {
            single.Score(features.AsSpan(r * Inputs, Inputs), 1, logits, outputs);
            Assert.Equal(Bits(logits), Bits(batchLogits.AsSpan(r * width, width)));
            Assert.Equal(Bits(outputs), Bits(batchOutputs.AsSpan(r * width, width)));
        }
    }

    [Theory]
    [MemberData(nameof(HeadsAndPaths))]
    public void LogitsAreTheForwardPassAndOutputsTheHeadOfThem(string headName, string path)
    {
        OutputHead head = Enum.Parse<OutputHead>(headName);
        (FeedForwardNetwork network, float[] features) = Problem(head, seed: 31);
        DenseKernels kernels = DenseKernels.Create(threads: 4, path);
        int width = network.OutputCount;
        var logits = new float[Rows * width];
        var outputs = new float[Rows * width];

        new NetworkScorer(network, head, kernels, maxRows: Rows).Score(features, Rows, logits, outputs);

        float[] forward = network.Forward(features, Rows, new NetworkWorkspace(network, Rows), kernels).ToArray();
        Assert.Equal(Bits(forward), Bits(logits));
        for (int r = 0; r < Rows; r++)
        {
            float[] applied = logits[(r * width)..((r + 1) * width)];
            head.Apply(applied);
            Assert.Equal(Bits(applied), Bits(outputs.AsSpan(r * width, width)));
        }
    }

    /// <summary>
    /// The same, against arithmetic done here in double. Logits: each dense layer sums at most 33 products of order 1
    /// in float, a relative error of at most 33·2⁻²⁴ ≈ 2e-6 of Σ|w·x| per layer; over three layers that stays far below
    /// the 1e-4·(1 + |z|) allowed. Outputs: σ and softmax of the scorer's own float logits, in double, differ from
    /// the float outputs by the final rounding only (≤ 2⁻²⁴ for a probability); 1e-6 allows for the head's double
    /// arithmetic too. A wrong layer, activation, bias or head is off by far more.
    /// </summary>
    [Theory]
    [MemberData(nameof(HeadsAndPaths))]
    public void LogitsAndOutputsMatchADoubleReference(string headName, string path)
    {
        OutputHead head = Enum.Parse<OutputHead>(headName);
        (FeedForwardNetwork network, float[] features) = Problem(head, seed: 32);
        int width = network.OutputCount;
        var logits = new float[Rows * width];
        var outputs = new float[Rows * width];

        new NetworkScorer(network, head, DenseKernels.Create(threads: 4, path), maxRows: Rows).Score(features, Rows, logits, outputs);

        for (int r = 0; r < Rows; r++)
        {
            double[] values = features[(r * Inputs)..((r + 1) * Inputs)].Select(x => (double)x).ToArray();
            for (int l = 0; l < network.Layers.Count; l++)
            {
                DenseLayerShape layer = network.Layers[l];
                var next = new double[layer.Outputs];
                for (int o = 0; o < layer.Outputs; o++)
                {
                    double z = network.Biases(l)[o];
                    for (int i = 0; i < layer.Inputs; i++) z += network.Weights(l)[i * layer.Outputs + o] * values[i];
                    next[o] = l < network.Layers.Count - 1 ? Math.Max(0, z) : z;
                }
                values = next;
            }
            for (int k = 0; k < width; k++)
                Assert.Equal(values[k], logits[r * width + k], 1e-4 * (1 + Math.Abs(values[k])));

            double[] expected = head switch
            {
                OutputHead.Identity => [logits[r * width]],
                OutputHead.Sigmoid => [1 / (1 + Math.Exp(-logits[r * width]))],
                _ => Softmax(logits.AsSpan(r * width, width)),
            };
            for (int k = 0; k < width; k++) Assert.Equal(expected[k], outputs[r * width + k], 1e-6);
        }
    }

    private static double[] Softmax(ReadOnlySpan<float> logits)
    {
        var e = new double[logits.Length];
        for (int k = 0; k < logits.Length; k++) e[k] = Math.Exp(logits[k]);
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}
