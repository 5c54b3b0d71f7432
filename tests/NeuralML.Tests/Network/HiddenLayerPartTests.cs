using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Tests.Support;
using NeuralML.Training;
using Xunit.Abstractions;

namespace NeuralML.Tests.Network;

/// <summary>
/// The <see cref="IHiddenLayerPart"/> contract of <see cref="FeedForwardNetwork"/>, with test-only parts that multiply
/// each hidden unit by a fixed factor (a per-layer constant, or a fixed 0/1.5 mask) into their own buffers: the
/// forward pass applies them (against a forward pass computed here in double), back-propagation through them matches
/// central differences, they run in list order forward and in reverse order backward on every hidden layer and never
/// on the output layer, each reads the buffer the part before it returned, and evaluation mode ignores them.
/// <para>
/// Gradient tolerances are <see cref="NetworkGradientTests"/>'s (ε = 1e-2, 1e-2 relative plus 1e-4 absolute) and for
/// its reasons. The factors here (at most 1.7 in size) enlarge the truncation term ε²/6·|L‴| (it grows with their
/// cube along a path), so the worst error seen is under 0.4 of the tolerance rather than a tenth; the checks are
/// deterministic (fixed seeds, fixed factors), so this is no flakiness.
/// </para>
/// </summary>
public class HiddenLayerPartTests(ITestOutputHelper output)
{
    private const double Epsilon = 1e-2, Relative = 1e-2, Absolute = 1e-4;

    /// <summary>
    /// Multiplies hidden unit j of layer l by <c>factor(l, j)</c>, into a buffer of its own per layer, and the gradient
    /// by the same factors on the way back. Optionally writes every call into a shared log and remembers which buffer
    /// each forward read and returned.
    /// </summary>
    private sealed class FactorPart(string name, Func<int, int, float> factor, List<string>? log = null) : IHiddenLayerPart
    {
        private readonly Dictionary<int, (float[] Buffer, int Width)> _layers = [];

        public Dictionary<int, float[]> Read { get; } = [];

        public float[] Returned(int layer) => _layers[layer].Buffer;

        public float[] Forward(int layer, float[] values, int rows, int width)
        {
            log?.Add($"{name} forward {layer}");
            Read[layer] = values;
            int count = rows * width;
            if (!_layers.TryGetValue(layer, out var state) || state.Buffer.Length < count) state = (new float[count], width);
            _layers[layer] = state with { Width = width };
            for (int i = 0; i < count; i++) state.Buffer[i] = values[i] * factor(layer, i % width);
            return state.Buffer;
        }

        public void Backward(int layer, Span<float> gradient)
        {
            log?.Add($"{name} backward {layer}");
            int width = _layers[layer].Width;
            for (int i = 0; i < gradient.Length; i++) gradient[i] *= factor(layer, i % width);
        }
    }

    /// <summary>Layer 0 times 1.7, layer 1 times −0.6, any further layer times 1.25.</summary>
    private static float LayerConstant(int layer, int unit) => layer switch { 0 => 1.7f, 1 => -0.6f, _ => 1.25f };

    /// <summary>A fixed mask: every third unit (shifted by the layer) dropped, the others times 1.5.</summary>
    private static float FixedMask(int layer, int unit) => (unit + layer) % 3 == 0 ? 0f : 1.5f;

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

    private static float[] RandomRows(int rows, int inputs, int seed)
    {
        var random = new Xoshiro256StarStar(seed);
        var input = new float[rows * inputs];
        for (int i = 0; i < input.Length; i++) input[i] = (float)random.NextGaussian();
        return input;
    }

    /// <summary>
    /// Training mode computes tanh layers with each hidden unit multiplied by both parts' factors. The reference is
    /// computed here in double; the network sums four or five products per unit in float and its tanh is within
    /// 1e-6 of the exact one, so 1e-5·(1 + |z|) is ample. Without the parts the logits differ by far more.
    /// </summary>
    [Fact]
    public void ForwardAppliesThePartsToEveryHiddenLayer()
    {
        FeedForwardNetwork network = RandomNetwork(inputs: 3, [4, 5], Activation.Tanh, outputs: 2, seed: 40);
        float[] input = RandomRows(rows: 3, inputs: 3, seed: 41);
        IHiddenLayerPart[] parts = [new FactorPart("scale", LayerConstant), new FactorPart("mask", FixedMask)];

        float[] logits = network.Forward(input, 3, new NetworkWorkspace(network, 3), DenseKernels.Default, parts).ToArray();

        for (int r = 0; r < 3; r++)
        {
            double[] values = input[(r * 3)..((r + 1) * 3)].Select(x => (double)x).ToArray();
            for (int l = 0; l < network.Layers.Count; l++)
            {
                DenseLayerShape layer = network.Layers[l];
                bool hidden = l < network.Layers.Count - 1;
                var next = new double[layer.Outputs];
                for (int o = 0; o < layer.Outputs; o++)
                {
                    double z = network.Biases(l)[o];
                    for (int i = 0; i < layer.Inputs; i++) z += network.Weights(l)[i * layer.Outputs + o] * values[i];
                    next[o] = hidden ? Math.Tanh(z) * LayerConstant(l, o) * FixedMask(l, o) : z;
                }
                values = next;
            }
            for (int k = 0; k < 2; k++) Assert.Equal(values[k], logits[r * 2 + k], 1e-5 * (1 + Math.Abs(values[k])));
        }
    }

    public static TheoryData<Activation, string> ActivationsAndLosses() => new()
    {
        { Activation.Tanh, nameof(LossKind.SquaredError) },
        { Activation.Tanh, nameof(LossKind.SparseCategoricalCrossEntropy) },
        { Activation.Relu, nameof(LossKind.BinaryCrossEntropy) },
        { Activation.Elu, nameof(LossKind.Huber) },
    };

    /// <summary>Both parts at once, on two hidden layers: every parameter's back-propagated gradient against a central difference.</summary>
    [Theory]
    [MemberData(nameof(ActivationsAndLosses))]
    public void GradientThroughThePartsMatchesCentralDifferences(Activation activation, string lossName)
    {
        LossKind loss = Enum.Parse<LossKind>(lossName);
        FeedForwardNetwork network = RandomNetwork(inputs: 5, [6, 4], activation, LossTargets.Outputs(loss), seed: 42);
        var problem = new GradientProblem(network, loss, rows: 6, seed: 43,
            () => [new FactorPart("scale", LayerConstant), new FactorPart("mask", FixedMask)]);

        (double worst, int skipped) = problem.AssertGradientMatchesCentralDifferences(Epsilon, Relative, Absolute);
        output.WriteLine($"worst error / tolerance: {worst:F3}; perturbations across a kink, skipped: {skipped}");
    }

    /// <summary>
    /// The parts change the gradient: for the same ∂L/∂logits, back-propagation after a training-mode pass differs
    /// from evaluation mode's, and a first-layer unit the mask drops passes back nothing, so its weights and bias get
    /// exactly 0 (a backward pass that skipped the parts, with a forward pass that skipped them too, would agree with
    /// central differences; these checks would catch it).
    /// </summary>
    [Fact]
    public void PartsChangeTheGradient()
    {
        FeedForwardNetwork network = RandomNetwork(inputs: 5, [6, 4], Activation.Tanh, outputs: 1, seed: 44);
        float[] input = RandomRows(rows: 6, inputs: 5, seed: 45);
        float[] dLogits = [0.5f, -1f, 1f, 0.25f, -0.75f, 2f];
        var workspace = new NetworkWorkspace(network, 6);
        network.Forward(input, 6, workspace, DenseKernels.Default);
        var plain = new float[network.Parameters.Length];
        network.Backward(input, 6, dLogits, plain, workspace, DenseKernels.Default);

        network.Forward(input, 6, workspace, DenseKernels.Default, [new FactorPart("scale", LayerConstant), new FactorPart("mask", FixedMask)]);
        var gradient = new float[network.Parameters.Length];
        network.Backward(input, 6, dLogits, gradient, workspace, DenseKernels.Default);

        Assert.NotEqual(plain, gradient);
        // Unit 0 of layer 0 is masked ((0 + 0) % 3 == 0): the weights into it and its bias get no gradient; unit 1 is kept.
        DenseLayerShape first = network.Layers[0];
        for (int i = 0; i < first.Inputs; i++)
        {
            Assert.Equal(0f, gradient[first.WeightOffset + i * first.Outputs]);
            Assert.NotEqual(0f, gradient[first.WeightOffset + i * first.Outputs + 1]);
        }
        Assert.Equal(0f, gradient[first.BiasOffset]);
        Assert.NotEqual(0f, plain[first.BiasOffset]);
    }

    /// <summary>
    /// Three hidden layers and two parts: forward runs A then B after each hidden layer and neither after the output
    /// layer; backward runs B then A from the last hidden layer down. B reads the buffer A returned, and the next layer
    /// reads the buffer B returned.
    /// </summary>
    [Fact]
    public void PartsRunInOrderForwardAndInReverseBackward()
    {
        FeedForwardNetwork network = RandomNetwork(inputs: 3, [4, 3, 5], Activation.Tanh, outputs: 2, seed: 46);
        float[] input = RandomRows(rows: 2, inputs: 3, seed: 47);
        var log = new List<string>();
        var a = new FactorPart("A", LayerConstant, log);
        var b = new FactorPart("B", FixedMask, log);
        var workspace = new NetworkWorkspace(network, 2);

        network.Forward(input, 2, workspace, DenseKernels.Default, [a, b]);
        Assert.Equal(["A forward 0", "B forward 0", "A forward 1", "B forward 1", "A forward 2", "B forward 2"], log);
        for (int l = 0; l < 3; l++)
        {
            Assert.Same(workspace.Outputs[l], a.Read[l]);
            Assert.Same(a.Returned(l), b.Read[l]);
            Assert.Same(b.Returned(l), workspace.LayerResults[l]);
        }

        log.Clear();
        network.Backward(input, 2, new float[] { 1f, -1f, 0.5f, 2f }, new float[network.Parameters.Length], workspace, DenseKernels.Default);
        Assert.Equal(["B backward 2", "A backward 2", "B backward 1", "A backward 1", "B backward 0", "A backward 0"], log);
    }

    /// <summary>
    /// Evaluation mode (no parts), even right after a training-mode pass on the same workspace: no part is called,
    /// forward or backward, and the logits and gradient are those of a network that never saw a part (bit for bit).
    /// </summary>
    [Fact]
    public void EvaluationModeIgnoresTheParts()
    {
        FeedForwardNetwork network = RandomNetwork(inputs: 3, [4, 3], Activation.Tanh, outputs: 2, seed: 48);
        float[] input = RandomRows(rows: 3, inputs: 3, seed: 49);
        float[] dLogits = [0.5f, -1f, 1f, 0.25f, -0.75f, 2f];
        var freshWorkspace = new NetworkWorkspace(network, 3);
        float[] plainLogits = network.Forward(input, 3, freshWorkspace, DenseKernels.Default).ToArray();
        var plainGradient = new float[network.Parameters.Length];
        network.Backward(input, 3, dLogits, plainGradient, freshWorkspace, DenseKernels.Default);

        var log = new List<string>();
        var workspace = new NetworkWorkspace(network, 3);
        float[] trainingLogits = network.Forward(input, 3, workspace, DenseKernels.Default,
            [new FactorPart("A", LayerConstant, log), new FactorPart("B", FixedMask, log)]).ToArray();
        Assert.NotEqual(plainLogits, trainingLogits);
        log.Clear();

        float[] logits = network.Forward(input, 3, workspace, DenseKernels.Default).ToArray();
        var gradient = new float[network.Parameters.Length];
        network.Backward(input, 3, dLogits, gradient, workspace, DenseKernels.Default);

        Assert.Empty(log);
        Assert.Equal(plainLogits, logits);
        Assert.Equal(plainGradient, gradient);
    }
}
