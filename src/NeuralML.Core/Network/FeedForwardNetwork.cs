using System.Runtime.CompilerServices;
using NeuralML.Kernels;
using NeuralML.Numerics;

namespace NeuralML.Network;

/// <summary>
/// A multilayer perceptron: dense layers, each a weighted sum plus bias followed by an activation, the last one linear
/// (its outputs are logits that an <see cref="OutputHead"/> turns into probabilities or scores).
/// All parameters live in one contiguous buffer, layer after layer, each layer's weights (inputs, outputs) row-major
/// followed by its biases (and PReLU's slopes): one buffer for the optimizer to sweep and for the model file.
/// </summary>
internal sealed partial class FeedForwardNetwork
{
    private readonly DenseLayerShape[] _layers;
    private readonly int[] _layerSizes;

    /// <param name="inputs">Features per row.</param>
    /// <param name="hiddenLayers">Hidden layer widths.</param>
    /// <param name="hiddenActivation">Every hidden layer's activation (the output layer is linear).</param>
    /// <param name="outputs">Logits per row.</param>
    /// <param name="batchNormalization">Whether each hidden layer normalises its outputs before the activation (<see cref="Network.BatchNormalization"/>).</param>
    public FeedForwardNetwork(int inputs, IReadOnlyList<int> hiddenLayers, Activation hiddenActivation, int outputs, bool batchNormalization = false)
        : this(BuildShapes(inputs, hiddenLayers, hiddenActivation, outputs, batchNormalization), parameters: null)
    {
    }

    private FeedForwardNetwork(DenseLayerShape[] layers, float[]? parameters)
    {
        _layers = layers;
        _layerSizes = [layers[0].Inputs, .. layers.Select(l => l.Outputs)];
        int count = layers[^1].End;
        if (parameters is not null && parameters.Length != count)
            throw new ArgumentException($"The network needs {count} parameters, got {parameters.Length}.", nameof(parameters));
        Parameters = parameters ?? new float[count];
    }

    /// <summary>A copy with its own parameter buffer.</summary>
    public FeedForwardNetwork Clone() => new(_layers, (float[])Parameters.Clone());

    /// <summary>Builds a network from saved layer sizes, activations and parameters.</summary>
    public static FeedForwardNetwork FromParameters(IReadOnlyList<int> layerSizes, IReadOnlyList<Activation> activations, float[] parameters)
    {
        if (layerSizes.Count < 2 || activations.Count != layerSizes.Count - 1)
            throw new ArgumentException("A network needs at least an input and an output size, and one activation per layer.");
        var shapes = new DenseLayerShape[activations.Count];
        int offset = 0;
        for (int l = 0; l < shapes.Length; l++)
        {
            shapes[l] = new DenseLayerShape(layerSizes[l], layerSizes[l + 1], activations[l], offset);
            offset = shapes[l].End;
        }
        return new FeedForwardNetwork(shapes, parameters);
    }

    private static DenseLayerShape[] BuildShapes(int inputs, IReadOnlyList<int> hiddenLayers, Activation hiddenActivation, int outputs, bool batchNormalization)
    {
        if (inputs <= 0) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "A network needs at least one input.");
        if (outputs <= 0) throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "A network needs at least one output.");
        var sizes = new List<int> { inputs };
        foreach (int width in hiddenLayers)
        {
            if (width <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenLayers), width, "Every hidden layer needs at least one unit.");
            sizes.Add(width);
        }
        sizes.Add(outputs);
        var activations = new Activation[sizes.Count - 1];
        Array.Fill(activations, hiddenActivation);
        activations[^1] = Activation.Identity;
        var shapes = new DenseLayerShape[activations.Length];
        long offset = 0;
        for (int l = 0; l < shapes.Length; l++)
        {
            bool normalized = batchNormalization && l < shapes.Length - 1;
            shapes[l] = new DenseLayerShape(sizes[l], sizes[l + 1], activations[l], (int)offset, normalized);
            offset += DenseLayerShape.CountParameters(sizes[l], sizes[l + 1], activations[l], normalized);
            if (offset > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(hiddenLayers), "The network has too many parameters for one buffer.");
        }
        return shapes;
    }

    /// <summary>All weights and biases, layer after layer.</summary>
    public float[] Parameters { get; }

    public IReadOnlyList<DenseLayerShape> Layers => _layers;

    public int InputCount => _layers[0].Inputs;

    public int OutputCount => _layers[^1].Outputs;

    /// <summary>The widest layer, input included: the size of a row in the gradient workspaces.</summary>
    public int MaxWidth => Math.Max(InputCount, _layers.Max(l => l.Outputs));

    /// <summary>Layer sizes from input to output, e.g. [784, 128, 64, 10].</summary>
    public int[] LayerSizes => _layerSizes.ToArray();

    /// <summary>The same sizes without a copy, for checks on the hot path.</summary>
    public ReadOnlySpan<int> LayerSizeSpan => _layerSizes;

    public Span<float> Weights(int layer) => Parameters.AsSpan(_layers[layer].WeightOffset, _layers[layer].WeightCount);

    public Span<float> Biases(int layer) => Parameters.AsSpan(_layers[layer].BiasOffset, _layers[layer].Outputs);

    /// <summary>A PReLU layer's learned slopes, one per unit (empty for other activations).</summary>
    public Span<float> Slopes(int layer) => Parameters.AsSpan(_layers[layer].SlopeOffset, _layers[layer].SlopeCount);

    /// <summary>Batch normalisation's scale γ (empty without it).</summary>
    public Span<float> Scale(int layer) => Normalization(layer, 0);

    /// <summary>Batch normalisation's shift β (empty without it).</summary>
    public Span<float> Shift(int layer) => Normalization(layer, 1);

    /// <summary>Batch normalisation's running mean, for evaluation mode (empty without it).</summary>
    public Span<float> RunningMean(int layer) => Normalization(layer, 2);

    /// <summary>Batch normalisation's running variance, for evaluation mode (empty without it).</summary>
    public Span<float> RunningVariance(int layer) => Normalization(layer, 3);

    private Span<float> Normalization(int layer, int part)
    {
        DenseLayerShape shape = _layers[layer];
        return shape.BatchNormalization ? Parameters.AsSpan(shape.NormalizationOffset + part * shape.Outputs, shape.Outputs) : [];
    }

    /// <summary>Whether any layer normalises its outputs (training only: <see cref="FoldBatchNormalization"/> removes it).</summary>
    public bool HasBatchNormalization => _layers.Any(l => l.BatchNormalization);

    /// <summary>
    /// The same network in evaluation mode with batch normalisation folded into the dense layers (<see cref="Network.BatchNormalization.FoldInto"/>):
    /// plain dense layers that give the same outputs (up to rounding), so scoring, saving and ONNX need nothing more.
    /// </summary>
    public FeedForwardNetwork FoldBatchNormalization()
    {
        var plain = FromParameters(_layerSizes, _layers.Select(l => l.Activation).ToArray(), new float[_layers.Sum(l => l.ParameterCount - l.NormalizationCount)]);
        for (int l = 0; l < _layers.Length; l++)
        {
            Weights(l).CopyTo(plain.Weights(l));
            Biases(l).CopyTo(plain.Biases(l));
            Slopes(l).CopyTo(plain.Slopes(l));
            DenseLayerShape layer = _layers[l];
            if (layer.BatchNormalization)
                Network.BatchNormalization.FoldInto(plain.Weights(l), plain.Biases(l), layer.Inputs, layer.Outputs, Scale(l), Shift(l), RunningMean(l), RunningVariance(l));
        }
        return plain;
    }

    /// <summary>
    /// He-normal weights, N(0, 2/fan-in), for the ReLU family, GELU and SiLU (for PReLU with He et al.'s correction for
    /// its initial slope a, N(0, 2/((1 + a²)·fan-in))); LeCun-normal, N(0, 1/fan-in), for SELU; Glorot-uniform for
    /// tanh, sigmoid and linear layers. Zero biases; PReLU slopes 0.25. Weights are never all zero: identical units
    /// would get identical gradients and never become different.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Initialize(Xoshiro256StarStar random)
    {
        for (int l = 0; l < _layers.Length; l++)
        {
            DenseLayerShape layer = _layers[l];
            Span<float> weights = Weights(l);
            double? normalStd = layer.Activation switch
            {
                Activation.Relu or Activation.LeakyRelu or Activation.Elu or Activation.Gelu or Activation.Silu => Math.Sqrt(2.0 / layer.Inputs),
                Activation.PRelu => Math.Sqrt(2.0 / ((1 + (double)ActivationConstants.PReluInitialSlope * ActivationConstants.PReluInitialSlope) * layer.Inputs)),
                Activation.Selu => Math.Sqrt(1.0 / layer.Inputs),
                _ => null,
            };
            if (normalStd is double std)
            {
                foreach (ref float w in weights) w = (float)(random.NextGaussian() * std);
            }
            else
            {
                double limit = Math.Sqrt(6.0 / (layer.Inputs + layer.Outputs));
                foreach (ref float w in weights) w = (float)((2 * random.NextDouble() - 1) * limit);
            }
            Biases(l).Clear();
            Slopes(l).Fill(ActivationConstants.PReluInitialSlope);
            Scale(l).Fill(1f);
            Shift(l).Clear();
            RunningMean(l).Clear();
            RunningVariance(l).Fill(1f);
        }
    }

    /// <summary>
    /// Runs the layers on <paramref name="rows"/> rows of <paramref name="input"/> (rows, InputCount) and returns the
    /// logits (rows, OutputCount), which live in the workspace. With <paramref name="trainingParts"/> (even none), the
    /// network is in training mode: batch normalisation uses the batch's statistics (and updates the running ones), and
    /// each hidden layer's output goes through the parts (dropout). Without (null), it is in evaluation mode.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> input, int rows, NetworkWorkspace workspace, DenseKernels kernels,
        IHiddenLayerPart[]? trainingParts = null) => ForwardCore(input, default, rows, workspace, kernels, trainingParts);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<float> ForwardCore(ReadOnlySpan<float> input, scoped in SparseRows sparse, int rows, NetworkWorkspace workspace, DenseKernels kernels,
        IHiddenLayerPart[]? trainingParts)
    {
        workspace.EnsureFits(this, rows);
        workspace.Parts = trainingParts ?? [];
        workspace.Training = trainingParts is not null;
        ReadOnlySpan<float> layerInput = sparse.Offsets.IsEmpty ? input.Slice(0, rows * InputCount) : [];
        for (int l = 0; l < _layers.Length; l++)
        {
            DenseLayerShape layer = _layers[l];
            float[] result = workspace.Outputs[l]; // (rows, outputs)
            if (layer.BatchNormalization)
            {
                float[] z = workspace.Normalized[l], y = workspace.PreActivations[l]; // (rows, outputs) each
                Product(l, layerInput, sparse, z, rows, kernels, Activation.Identity);
                if (workspace.Training)
                    Network.BatchNormalization.Train(z, y, rows, layer.Outputs, Scale(l), Shift(l), RunningMean(l), RunningVariance(l), workspace.InverseStd[l]);
                else
                    Network.BatchNormalization.Evaluate(z, y, rows, layer.Outputs, Scale(l), Shift(l), RunningMean(l), RunningVariance(l));
                Activate(l, y, result, rows);
            }
            else if (layer.KeepsPreActivation)
            {
                float[] z = workspace.PreActivations[l]; // (rows, outputs)
                Product(l, layerInput, sparse, z, rows, kernels, Activation.Identity);
                Activate(l, z, result, rows);
            }
            else
            {
                Product(l, layerInput, sparse, result, rows, kernels, layer.Activation);
            }
            if (l < _layers.Length - 1)
                foreach (IHiddenLayerPart part in workspace.Parts) result = part.Forward(l, result, rows, layer.Outputs);
            workspace.LayerResults[l] = result;
            layerInput = result.AsSpan(0, rows * layer.Outputs);
        }
        return layerInput;
    }

    /// <summary>
    /// Back-propagates <paramref name="dLogits"/> (rows, OutputCount) through the last <see cref="Forward(ReadOnlySpan{float}, int, NetworkWorkspace, DenseKernels, IHiddenLayerPart[])"/> (and its
    /// training parts) and writes the parameter gradients into <paramref name="dParameters"/> (same layout as
    /// <see cref="Parameters"/>; every value is overwritten, so it needs no clearing).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Backward(ReadOnlySpan<float> input, int rows, ReadOnlySpan<float> dLogits, Span<float> dParameters,
        NetworkWorkspace workspace, DenseKernels kernels) => BackwardCore(input, null, [], rows, dLogits, dParameters, workspace, kernels);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void BackwardCore(ReadOnlySpan<float> input, SparseColumns? sparseInput, Span<float> dTouchedRows, int rows, ReadOnlySpan<float> dLogits, Span<float> dParameters,
        NetworkWorkspace workspace, DenseKernels kernels)
    {
        if (dParameters.Length != Parameters.Length) throw new ArgumentException("Gradient buffer does not match the parameters.", nameof(dParameters));
        // Two gradient buffers take turns: layer l reads dOutput from one and writes dInput into the other.
        float[] current = workspace.GradientA, other = workspace.GradientB;
        Span<float> dOutput = current.AsSpan(0, rows * OutputCount); // (rows, outputs of layer l)
        dLogits.Slice(0, dOutput.Length).CopyTo(dOutput);
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            DenseLayerShape layer = _layers[l];
            if (l < _layers.Length - 1)
                for (int p = workspace.Parts.Length - 1; p >= 0; p--) workspace.Parts[p].Backward(l, dOutput);
            if (ActivationKernels.NeedsInput(layer.Activation)) ActivationGradient(l, workspace.PreActivations[l], dOutput, dParameters, rows);
            else ActivationKernels.MultiplyByDerivative(layer.Activation, workspace.Outputs[l].AsSpan(0, dOutput.Length), dOutput);
            if (layer.BatchNormalization)
            {
                if (!workspace.Training) throw new InvalidOperationException("Back-propagation through batch normalisation needs a forward pass in training mode.");
                int o = layer.Outputs, at = layer.NormalizationOffset;
                Network.BatchNormalization.Backward(dOutput, workspace.Normalized[l], rows, o, Scale(l), workspace.InverseStd[l],
                    dParameters.Slice(at, o), dParameters.Slice(at + o, o));
                dParameters.Slice(at + 2 * o, 2 * o).Clear(); // the running statistics are not trained
            }

            if (l == 0 && sparseInput is not null)
            {
                bool compact = !dTouchedRows.IsEmpty;
                kernels.Sparse.WeightGradient(sparseInput, dOutput, compact ? dTouchedRows : dParameters.Slice(layer.WeightOffset, layer.WeightCount),
                    dParameters.Slice(layer.BiasOffset, layer.Outputs), rows, layer.Inputs, layer.Outputs, compact);
                break;
            }
            ReadOnlySpan<float> layerInput = l == 0 ? input.Slice(0, rows * layer.Inputs) : workspace.LayerResults[l - 1].AsSpan(0, rows * layer.Inputs);
            kernels.WeightGradient(dOutput, layerInput, dParameters.Slice(layer.WeightOffset, layer.WeightCount),
                dParameters.Slice(layer.BiasOffset, layer.Outputs), rows, layer.Inputs, layer.Outputs);
            if (l == 0) break;

            Span<float> dInput = other.AsSpan(0, rows * layer.Inputs);
            kernels.InputGradient(dOutput, Weights(l), dInput, rows, layer.Inputs, layer.Outputs);
            (current, other) = (other, current);
            dOutput = dInput;
        }
    }

    /// <summary>
    /// output = f(z) for a layer whose pre-activation is kept, row by row: an element is always at the same place in
    /// its row's vectors, so a row gets the same bits alone or in a batch.
    /// </summary>
    private void Activate(int l, float[] z, float[] output, int rows)
    {
        DenseLayerShape layer = _layers[l];
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = output.AsSpan(r * layer.Outputs, layer.Outputs);
            z.AsSpan(r * layer.Outputs, layer.Outputs).CopyTo(row);
            if (layer.Activation == Activation.PRelu) ActivationKernels.ApplyPRelu(row, Slopes(l));
            else ActivationKernels.Apply(layer.Activation, row);
        }
    }

    /// <summary>dOutput *= f'(z) row by row, and for PReLU the slopes' gradient Σ_rows dOutput·min(z, 0), in row order.</summary>
    private void ActivationGradient(int l, float[] z, Span<float> dOutput, Span<float> dParameters, int rows)
    {
        DenseLayerShape layer = _layers[l];
        Span<float> dSlopes = dParameters.Slice(layer.SlopeOffset, layer.SlopeCount);
        dSlopes.Clear();
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> input = z.AsSpan(r * layer.Outputs, layer.Outputs);
            Span<float> gradient = dOutput.Slice(r * layer.Outputs, layer.Outputs);
            if (layer.Activation == Activation.PRelu) ActivationKernels.PReluBackward(input, Slopes(l), gradient, dSlopes);
            else ActivationKernels.MultiplyByDerivativeOfInput(layer.Activation, input, gradient);
        }
    }
}
