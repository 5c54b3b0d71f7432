using System.Text;
using NeuralML.Columns;
using NeuralML.Kernels;
using NeuralML.Network;

namespace NeuralML;

/// <summary>
/// A trained FeedForward network: its layer sizes, activations and parameters. It is the <c>Model</c> of a
/// <see cref="FeedForwardPredictionTransformer"/>.
/// </summary>
public sealed class FeedForwardModelParameters
{
    private int? _numberOfThreads;

    internal FeedForwardModelParameters(PredictionKind kind, FeedForwardNetwork network, ClassLabels? classLabels, IReadOnlyList<double> trainingLosses)
    {
        Kind = kind;
        Network = network;
        ClassLabels = classLabels;
        TrainingLosses = trainingLosses;
    }

    internal FeedForwardNetwork Network { get; }

    /// <summary>The kernels scoring uses, bounded by <see cref="NumberOfThreads"/>.</summary>
    internal DenseKernels Kernels { get; private set; } = DenseKernels.Default;

    /// <summary>
    /// The most threads scoring may use on this machine; null (the default) for all cores. A trained model starts with
    /// the trainer's <see cref="FeedForwardOptions.NumberOfThreads"/>; it is a setting of the machine that scores, so it
    /// is not saved with the model, and a loaded model uses all cores until it is set. Predictions do not depend on it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int? NumberOfThreads
    {
        get => _numberOfThreads;
        set
        {
            if (value is <= 0) throw new ArgumentOutOfRangeException(nameof(value), value, "NumberOfThreads must be positive (or null for all cores).");
            Kernels = value is int threads ? DenseKernels.Create(threads) : DenseKernels.Default;
            _numberOfThreads = value;
        }
    }

    /// <summary>The output head of the task: sigmoid, softmax or identity.</summary>
    internal OutputHead Head => Kind switch
    {
        PredictionKind.BinaryClassification => OutputHead.Sigmoid,
        PredictionKind.MulticlassClassification => OutputHead.Softmax,
        _ => OutputHead.Identity,
    };

    /// <summary>The label's key values, for multiclass models whose label column had them.</summary>
    internal ClassLabels? ClassLabels { get; }

    /// <summary>The task the model was trained for.</summary>
    public PredictionKind Kind { get; }

    /// <summary>Layer sizes from input to output, e.g. [30, 128, 64, 1].</summary>
    public IReadOnlyList<int> LayerSizes => Network.LayerSizes;

    /// <summary>The activation of each dense layer, from the first hidden layer to the (linear) output layer.</summary>
    public IReadOnlyList<Activation> Activations => Network.Layers.Select(l => l.Activation).ToArray();

    /// <summary>The number of trainable weights and biases.</summary>
    public int ParameterCount => Network.Parameters.Length;

    /// <summary>The weighted mean training loss after each epoch.</summary>
    public IReadOnlyList<double> TrainingLosses { get; }

    /// <summary>A copy of layer <paramref name="layer"/>'s weights, (inputs × outputs) row-major: y = x·W + b.</summary>
    public float[] GetWeights(int layer) => Network.Weights(CheckLayer(layer)).ToArray();

    /// <summary>A copy of layer <paramref name="layer"/>'s biases.</summary>
    public float[] GetBiases(int layer) => Network.Biases(CheckLayer(layer)).ToArray();

    /// <summary>A copy of all parameters in one buffer, layer after layer, each layer's weights then biases.</summary>
    public float[] GetParameters() => (float[])Network.Parameters.Clone();

    /// <summary>The network as a layer list, e.g. <c>Sequential(Linear(30, 128), ReLU(), Linear(128, 64), ReLU(), Linear(64, 1), Sigmoid)</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("Sequential(");
        foreach (DenseLayerShape layer in Network.Layers)
        {
            text.Append($"Linear({layer.Inputs}, {layer.Outputs}), ");
            if (layer.Activation != Activation.Identity) text.Append(layer.Activation).Append("(), ");
        }
        text.Append(Head).Append("()");
        return text.Append(')').ToString();
    }

    private int CheckLayer(int layer)
    {
        if ((uint)layer >= (uint)Network.Layers.Count)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"The network has {Network.Layers.Count} dense layers.");
        return layer;
    }
}
