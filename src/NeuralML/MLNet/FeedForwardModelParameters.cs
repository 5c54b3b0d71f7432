using System.Text;
using NeuralML.Kernels;
using NeuralML.Network;

namespace NeuralML;

/// <summary>
/// A trained FeedForward network: its layer sizes, activations and parameters. It is the <c>Model</c> of a
/// <see cref="FeedForwardPredictionTransformer"/>.
/// </summary>
public sealed class FeedForwardModelParameters
{
    internal FeedForwardModelParameters(PredictionKind kind, FeedForwardNetwork network, ClassLabels? classLabels, IReadOnlyList<double> trainingLosses,
        int? numberOfThreads = null)
    {
        NumberOfThreads = numberOfThreads;
        Kernels = numberOfThreads is int threads ? DenseKernels.Create(threads) : DenseKernels.Default;
        Kind = kind;
        Network = network;
        ClassLabels = classLabels;
        TrainingLosses = trainingLosses;
    }

    internal FeedForwardNetwork Network { get; }

    /// <summary>The kernels scoring uses: the trainer's <see cref="FeedForwardOptions.NumberOfThreads"/> also bounds prediction.</summary>
    internal IDenseKernels Kernels { get; }

    /// <summary>The most threads scoring may use; null for all cores. Predictions do not depend on it.</summary>
    public int? NumberOfThreads { get; }

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
        text.Append(Kind switch
        {
            PredictionKind.BinaryClassification => "Sigmoid()",
            PredictionKind.MulticlassClassification => "Softmax()",
            _ => "Identity()",
        });
        return text.Append(')').ToString();
    }

    private int CheckLayer(int layer)
    {
        if ((uint)layer >= (uint)Network.Layers.Count)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"The network has {Network.Layers.Count} dense layers.");
        return layer;
    }
}
