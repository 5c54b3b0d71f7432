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

    internal FeedForwardModelParameters(PredictionKind kind, FeedForwardNetwork network, ClassLabels? classLabels, FeedForwardTrainingHistory history)
    {
        Kind = kind;
        Network = network;
        ClassLabels = classLabels;
        TrainingHistory = history;
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

    /// <summary>The weighted mean training loss of each epoch (<see cref="TrainingHistory"/> has the rest).</summary>
    public IReadOnlyList<double> TrainingLosses => TrainingHistory.Epochs.Select(e => e.TrainingLoss).ToArray();

    /// <summary>Every epoch's losses, validation metric and learning rate, the epoch kept, and a diagnosis of the run.</summary>
    public FeedForwardTrainingHistory TrainingHistory { get; }

    /// <summary>The diagnosis of the training run (<see cref="FeedForwardTrainingHistory.Diagnosis"/>).</summary>
    public string TrainingDiagnosis => TrainingHistory.Diagnosis;

    /// <summary>
    /// The network as a table, as Keras' <c>summary()</c> prints it: each dense layer with its output shape, activation
    /// and parameter count (weights, biases, and PReLU's slopes), the output head, and the totals.
    /// </summary>
    public string Summary()
    {
        var text = new StringBuilder();
        text.AppendLine($"FeedForward {Kind} model: {Network.InputCount} inputs, {Network.OutputCount} outputs");
        text.AppendLine($"{"Layer",-22}{"Output shape",-16}{"Activation",-12}{"Parameters",12}");
        for (int l = 0; l < Network.Layers.Count; l++)
        {
            DenseLayerShape layer = Network.Layers[l];
            string parameters = layer.ParameterCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
            text.AppendLine($"{$"dense_{l} (Dense)",-22}{$"(N, {layer.Outputs})",-16}{layer.Activation,-12}{parameters,12}");
        }
        text.AppendLine($"{$"output ({Head})",-22}{$"(N, {Network.OutputCount})",-16}{Head,-12}{0,12}");
        text.Append($"Total parameters: {ParameterCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}");
        return text.ToString();
    }

    /// <summary>Values per row the model reads: the width of its feature column.</summary>
    public int InputCount => Network.InputCount;

    /// <summary>Values per row <see cref="Predict"/> writes: 1 for regression and binary classification, the class count for multiclass.</summary>
    public int OutputCount => Network.OutputCount;

    /// <summary>Each calling thread's scorer for <see cref="Predict"/>, made for the kernels of the time.</summary>
    private readonly ThreadLocal<(BulkScorer Scorer, DenseKernels Kernels)?> _predictors = new();

    /// <summary>
    /// Scores rows held in arrays, without ML.NET types: the same values as <c>Transform</c> gives, bit for bit, at
    /// the speed of the network. <paramref name="features"/> holds the rows one after another, <see cref="InputCount"/>
    /// values each, as the feature column would (after the pipeline's transforms before the model); for each row
    /// <paramref name="predictions"/> receives <see cref="OutputCount"/> values: the predicted value (regression), the
    /// probability of true (binary, the Probability column), or the class probabilities in key order (multiclass, the
    /// Score column). Many rows are split among <see cref="NumberOfThreads"/> threads, each running the whole network
    /// over its share. Safe to call from several threads at once; each thread keeps its own buffers, so repeated calls
    /// do not allocate.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not describe whole rows, or do not agree.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Predict(ReadOnlySpan<float> features, Span<float> predictions)
    {
        int inputs = InputCount, outputs = OutputCount;
        if (features.Length % inputs != 0)
            throw new ArgumentException($"The features hold {features.Length} values, not a whole number of rows of {inputs}.", nameof(features));
        int rows = features.Length / inputs;
        if (predictions.Length != rows * outputs)
            throw new ArgumentException($"{rows} rows need {rows * outputs} predictions ({outputs} per row); the span holds {predictions.Length}.", nameof(predictions));
        DenseKernels kernels = Kernels;
        if (_predictors.Value is not { } predictor || predictor.Kernels != kernels)
            _predictors.Value = predictor = (new BulkScorer(Network, Head, kernels, NumberOfThreads ?? Environment.ProcessorCount), kernels);
        predictor.Scorer.Score(features, rows, predictions);
    }

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
