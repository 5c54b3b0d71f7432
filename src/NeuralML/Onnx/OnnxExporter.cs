using System.Collections.Immutable;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using NeuralML.Bridge;
using NeuralML.Columns;
using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Onnx.Proto;

namespace NeuralML.Onnx;

/// <summary>
/// Writes a fitted pipeline as one ONNX model. Before the network: the ML.NET transformers it can translate exactly
/// (Concatenate, affine normalisers, MapValueToKey on the label), or else ML.NET's own export of that part
/// (Microsoft.ML.OnnxConverter), which the graph starts from (<see cref="OnnxGraph.Adopt"/>). Then NeuralML's network
/// (Gemm per dense layer, standard activation operators, Sigmoid / Softmax heads) and MapKeyToValue on the prediction.
/// Outputs are named after the output columns with the suffix ".output", as ML.NET's own exporter names them. Anything
/// that cannot be exported stops the export with a <see cref="NotSupportedException"/> naming it.
/// </summary>
internal sealed class OnnxExporter
{
    public const int Opset = 13;
    public const int IrVersion = 7;

    private readonly OnnxGraph _graph = new();
    private readonly DataViewSchema _inputSchema;
    private readonly Dictionary<string, Tensor> _columns = [];
    private readonly Dictionary<string, string> _notExportable = [];
    private readonly List<string> _outputColumns = [];

    /// <summary>For each predicted-label tensor, the tensor of its 0-based class index (what MapKeyToValue gathers with).</summary>
    private readonly Dictionary<string, string> _classIndex = [];

    /// <summary>A column's current tensor: its name, element type and width (values per row).</summary>
    private sealed record Tensor(string Name, OnnxProto.DataType Type, long Width, FeedForwardModelParameters? PredictedClassesOf = null);

    private OnnxExporter(DataViewSchema inputSchema) => _inputSchema = inputSchema;

    public static byte[] Export(ITransformer model, IDataView inputData)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputData);
        ITransformer[] transformers = Flatten(model).ToArray();
        int network = Array.FindIndex(transformers, t => t is FeedForwardPredictionTransformer);
        if (network < 0) throw new NotSupportedException("The pipeline has no NeuralML FeedForward model to export.");
        var exporter = new OnnxExporter(inputData.Schema);
        int first = 0;
        // NeuralML translates the common feature steps itself; anything else before the network goes to ML.NET's
        // converter, and the network is grafted onto its graph.
        if (!transformers.Take(network).All(Translates))
        {
            exporter.AdoptMLNetExport(transformers[..network], inputData, ((FeedForwardPredictionTransformer)transformers[network]).FeatureColumnName);
            first = network;
        }
        foreach (ITransformer transformer in transformers[first..]) exporter.Add(transformer);
        foreach (string column in exporter._outputColumns.Distinct())
        {
            if (!exporter._columns.TryGetValue(column, out Tensor? tensor))
                throw new NotSupportedException($"Cannot export to ONNX: {exporter._notExportable.GetValueOrDefault(column, $"output column '{column}' was replaced by an unsupported transformer")}.");
            exporter._graph.AddOutput(tensor.Name, column + ".output", tensor.Type, [null, tensor.Width]);
        }
        return exporter._graph.ToModel("NeuralML", IrVersion, Opset, typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0");
    }

    /// <summary>Whether NeuralML translates <paramref name="transformer"/> itself (before the network).</summary>
    private static bool Translates(ITransformer transformer) => NotTranslatedBecause(transformer) is null;

    /// <summary>Why NeuralML does not translate <paramref name="transformer"/> itself; null when it does.</summary>
    private static string? NotTranslatedBecause(ITransformer transformer)
    {
        switch (transformer)
        {
            case ColumnConcatenatingTransformer or ValueToKeyMappingTransformer:
                return null;
            case NormalizingTransformer normalizer:
                (string Output, string Input)[] pairs = MLNetInternals.ColumnPairs(normalizer);
                for (int i = 0; i < pairs.Length; i++)
                {
                    NormalizingTransformer.NormalizerModelParametersBase parameters = normalizer.GetNormalizerModelParameters(i);
                    if (parameters is not (NormalizingTransformer.AffineNormalizerModelParameters<ImmutableArray<float>> or NormalizingTransformer.AffineNormalizerModelParameters<float>))
                        return $"column '{pairs[i].Output}' is normalised by {parameters.GetType().Name.Split('`')[0]}, and NeuralML translates affine normalisers only";
                }
                return null;
            default:
                return $"{transformer.GetType().Name} has no NeuralML translation";
        }
    }

    /// <summary>
    /// Starts the graph from ML.NET's own export (Microsoft.ML.OnnxConverter) of the transformers before the network,
    /// asked for the feature column only, and reads the features from it.
    /// </summary>
    private void AdoptMLNetExport(ITransformer[] before, IDataView inputData, string featureColumn)
    {
        (byte[] bytes, bool complete) = ConvertWithMLNet(before, inputData, featureColumn);
        if (!complete)
        {
            // The converter stops at the last transformer it cannot write and takes that one's outputs for inputs: the
            // first prefix it cannot write whole ends with the transformer to name.
            int culprit = Enumerable.Range(0, before.Length).First(i => !ConvertWithMLNet(before[..(i + 1)], inputData, null).Complete);
            throw new NotSupportedException($"Cannot export to ONNX: {before[culprit].GetType().Name} has no ONNX translation, in NeuralML or in ML.NET's converter.");
        }
        IReadOnlySet<string> outputs = _graph.Adopt(ModelProto.Parser.ParseFrom(bytes), Opset);
        string features = featureColumn + ".output";
        if (!outputs.Contains(features))
            throw new NotSupportedException($"Cannot export to ONNX: ML.NET's converter did not write feature column '{featureColumn}'.");
        long width = new TransformerChain<ITransformer>(before).GetOutputSchema(inputData.Schema)[featureColumn].Type is VectorDataViewType { Size: > 0 } vector ? vector.Size : 1;
        Define(featureColumn, new Tensor(features, OnnxProto.DataType.Float, width));
    }

    /// <summary>
    /// ML.NET's export of <paramref name="transformers"/> (with only <paramref name="outputColumn"/> as output when
    /// given), and whether it is complete: the converter does not fail on a transformer it cannot write, it warns and
    /// starts the graph after it.
    /// </summary>
    private static (byte[] Model, bool Complete) ConvertWithMLNet(ITransformer[] transformers, IDataView inputData, string? outputColumn)
    {
        var ml = new MLContext();
        bool complete = true;
        ml.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning && e.RawMessage.Contains("cannot save itself as ONNX", StringComparison.Ordinal)) complete = false;
        };
        var chain = new TransformerChain<ITransformer>(transformers);
        // The converter walks back through the data view's own transforms too, and would stop at (and warn about)
        // those of the input data, such as TrainTestSplit's filter; a cache is a root view with the same schema
        // (nothing is read: only the schema is used).
        IDataView root = ml.Data.Cache(inputData);
        using var stream = new MemoryStream();
        try
        {
            if (outputColumn is null) ml.Model.ConvertToOnnx(chain, root, stream);
            else ml.Model.ConvertToOnnx(chain, root, stream, outputColumn);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            IEnumerable<string> ours = transformers.Select(NotTranslatedBecause).OfType<string>();
            throw new NotSupportedException($"Cannot export to ONNX: ML.NET's converter refused the transformers before the network " +
                $"({string.Join(", ", transformers.Select(t => t.GetType().Name))}): {e.Message} NeuralML does not translate them either: {string.Join("; ", ours)}.", e);
        }
        return (stream.ToArray(), complete);
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer transformer)
    {
        if (transformer is IEnumerable<ITransformer> chain)
        {
            foreach (ITransformer inner in chain)
                foreach (ITransformer leaf in Flatten(inner))
                    yield return leaf;
        }
        else
        {
            yield return transformer;
        }
    }

    private void Add(ITransformer transformer)
    {
        switch (transformer)
        {
            case ColumnConcatenatingTransformer concatenation:
                foreach ((string output, string[] inputs) in MLNetInternals.ConcatenatedColumns(concatenation))
                {
                    Tensor[] parts = inputs.Select(Resolve).ToArray();
                    string name = _graph.AddNode("Concat", parts.Select(p => p.Name).ToArray(), output, OnnxProto.IntAttribute("axis", 1));
                    Define(output, new Tensor(name, OnnxProto.DataType.Float, parts.Sum(p => p.Width)));
                }
                break;
            case NormalizingTransformer normalizer:
                (string Output, string Input)[] pairs = MLNetInternals.ColumnPairs(normalizer);
                for (int i = 0; i < pairs.Length; i++) AddNormalizer(pairs[i].Output, Resolve(pairs[i].Input), normalizer.GetNormalizerModelParameters(i));
                break;
            case ValueToKeyMappingTransformer keys:
                // Keys of the label are for training only; a key column the inference graph needs cannot be exported.
                foreach ((string output, string input) in MLNetInternals.ColumnPairs(keys))
                    NotExportable(output, $"column '{output}' comes from MapValueToKey('{input}'), which NeuralML's ONNX export translates only on the label");
                break;
            case FeedForwardPredictionTransformer network:
                AddNetwork(network);
                break;
            case KeyToValueMappingTransformer values:
                foreach ((string output, string input) in MLNetInternals.ColumnPairs(values)) AddKeyToValue(output, input);
                break;
            default:
                throw new NotSupportedException(
                    $"{transformer.GetType().Name} cannot be exported to ONNX by NeuralML. Supported: Concatenate, NormalizeMinMax, " +
                    "NormalizeMeanVariance (and other affine normalisers), MapValueToKey on the label, the FeedForward trainers, MapKeyToValue on PredictedLabel.");
        }
    }

    private void Define(string column, Tensor tensor)
    {
        _columns[column] = tensor;
        _notExportable.Remove(column);
    }

    private void NotExportable(string column, string reason)
    {
        _columns.Remove(column);
        _notExportable[column] = reason;
    }

    /// <summary>The tensor of a column: computed earlier in the graph, or a graph input of the pipeline's input data.</summary>
    private Tensor Resolve(string column)
    {
        if (_columns.TryGetValue(column, out Tensor? tensor)) return tensor;
        if (_notExportable.TryGetValue(column, out string? reason)) throw new NotSupportedException($"Cannot export to ONNX: {reason}.");
        DataViewSchema.Column input = _inputSchema.GetColumnOrNull(column)
            ?? throw new NotSupportedException($"Cannot export to ONNX: column '{column}' is neither an input column nor made by a supported transformer.");
        long width = input.Type switch
        {
            NumberDataViewType t when t == NumberDataViewType.Single => 1,
            VectorDataViewType { ItemType: var item, Size: > 0 } v when item == NumberDataViewType.Single => v.Size,
            _ => throw new NotSupportedException($"Cannot export to ONNX: input column '{column}' is {input.Type}; only Single and known-size vectors of Single are supported."),
        };
        _graph.AddInput(column, OnnxProto.DataType.Float, [null, width]);
        tensor = new Tensor(column, OnnxProto.DataType.Float, width);
        _columns[column] = tensor;
        return tensor;
    }

    private void AddNormalizer(string output, Tensor input, NormalizingTransformer.NormalizerModelParametersBase parameters)
    {
        (ImmutableArray<float> scale, ImmutableArray<float> offset) = parameters switch
        {
            NormalizingTransformer.AffineNormalizerModelParameters<ImmutableArray<float>> vector => (vector.Scale, vector.Offset),
            NormalizingTransformer.AffineNormalizerModelParameters<float> scalar => ([scalar.Scale], [scalar.Offset]),
            _ => throw new NotSupportedException(
                $"Cannot export to ONNX: column '{output}' is normalised by {parameters.GetType().Name.Split('`')[0]}; only affine normalisers (NormalizeMinMax, NormalizeMeanVariance, ...) are supported."),
        };
        // ML.NET computes (x − offset)·scale; an empty offset means zero.
        string name = input.Name;
        if (!offset.IsDefaultOrEmpty && offset.Any(o => o != 0f))
            name = _graph.AddNode("Sub", [name, _graph.AddFloatInitializer($"{output}_offset", [offset.Length], offset.AsSpan())], $"{output}_centred");
        name = _graph.AddNode("Mul", [name, _graph.AddFloatInitializer($"{output}_scale", [scale.Length], scale.AsSpan())], output);
        Define(output, input with { Name = name, PredictedClassesOf = null });
    }

    private void AddNetwork(FeedForwardPredictionTransformer transformer)
    {
        FeedForwardModelParameters model = transformer.Model;
        FeedForwardNetwork network = model.Network;
        Tensor features = Resolve(transformer.FeatureColumnName);
        if (features.Width != network.InputCount)
            throw new NotSupportedException($"Cannot export to ONNX: feature column '{transformer.FeatureColumnName}' has {features.Width} values, the network {network.InputCount}.");
        string x = features.Name;
        for (int l = 0; l < network.Layers.Count; l++)
        {
            DenseLayerShape layer = network.Layers[l];
            string weights = _graph.AddFloatInitializer($"dense{l}_weights", [layer.Inputs, layer.Outputs], network.Weights(l));
            string bias = _graph.AddFloatInitializer($"dense{l}_bias", [layer.Outputs], network.Biases(l));
            x = _graph.AddNode("Gemm", [x, weights, bias], $"dense{l}");
            x = AddActivation(network, l, x);
        }

        switch (model.Kind)
        {
            case PredictionKind.BinaryClassification:
                Output(TaskColumns.Score, new Tensor(x, OnnxProto.DataType.Float, 1));
                Output(TaskColumns.Probability, new Tensor(_graph.AddNode("Sigmoid", [x], "probability"), OnnxProto.DataType.Float, 1));
                string zero = _graph.AddFloatInitializer("zero", [1], [0f]);
                Output(TaskColumns.PredictedLabel, new Tensor(_graph.AddNode("Greater", [x, zero], "predicted_label"), OnnxProto.DataType.Bool, 1));
                break;
            case PredictionKind.MulticlassClassification:
                string probabilities = _graph.AddNode("Softmax", [x], "probabilities", OnnxProto.IntAttribute("axis", 1));
                Output(TaskColumns.Score, new Tensor(probabilities, OnnxProto.DataType.Float, network.OutputCount));
                // The first most probable class, 0-based; keys count from 1.
                string index = _graph.AddNode("ArgMax", [probabilities], "class_index", OnnxProto.IntAttribute("axis", 1), OnnxProto.IntAttribute("keepdims", 1));
                string key = _graph.AddNode("Add", [index, _graph.AddInt64Initializer("one", [1], [1])], "class_key");
                string label = _graph.AddNode("Cast", [key], "predicted_label", OnnxProto.IntAttribute("to", (long)OnnxProto.DataType.UInt32));
                Output(TaskColumns.PredictedLabel, new Tensor(label, OnnxProto.DataType.UInt32, 1, model));
                _classIndex[label] = index;
                break;
            default:
                Output(TaskColumns.Score, new Tensor(x, OnnxProto.DataType.Float, 1));
                break;
        }
    }

    /// <summary>The activation of layer <paramref name="l"/> on tensor <paramref name="x"/>, with the constants NeuralML trains with.</summary>
    private string AddActivation(FeedForwardNetwork network, int l, string x)
    {
        DenseLayerShape layer = network.Layers[l];
        string name = $"dense{l}";
        switch (layer.Activation)
        {
            case Activation.Identity:
                return x;
            case Activation.Relu:
                return _graph.AddNode("Relu", [x], $"{name}_relu");
            case Activation.LeakyRelu:
                return _graph.AddNode("LeakyRelu", [x], $"{name}_leaky_relu", OnnxProto.FloatAttribute("alpha", ActivationConstants.LeakyReluSlope));
            case Activation.Elu:
                return _graph.AddNode("Elu", [x], $"{name}_elu", OnnxProto.FloatAttribute("alpha", ActivationConstants.EluAlpha));
            case Activation.Tanh:
                return _graph.AddNode("Tanh", [x], $"{name}_tanh");
            case Activation.Sigmoid:
                return _graph.AddNode("Sigmoid", [x], $"{name}_sigmoid");
            case Activation.PRelu:
                // One learned slope per unit: shape [outputs] broadcasts over [N, outputs].
                string slopes = _graph.AddFloatInitializer($"{name}_slopes", [layer.Outputs], network.Slopes(l));
                return _graph.AddNode("PRelu", [x, slopes], $"{name}_prelu");
            case Activation.Selu:
                return _graph.AddNode("Selu", [x], $"{name}_selu",
                    OnnxProto.FloatAttribute("alpha", ActivationConstants.SeluAlpha), OnnxProto.FloatAttribute("gamma", ActivationConstants.SeluLambda));
            case Activation.Silu:
                return _graph.AddNode("Mul", [x, _graph.AddNode("Sigmoid", [x], $"{name}_sigmoid")], $"{name}_silu");
            case Activation.Gelu:
            {
                // The exact form, ½x(1 + erf(x/√2)), as NeuralML computes it (opset 13 has Erf but no Gelu).
                string scaled = _graph.AddNode("Mul", [x, _graph.AddFloatInitializer($"{name}_inverse_sqrt2", [1], [0.70710678118654752440f])], $"{name}_scaled");
                string erf = _graph.AddNode("Erf", [scaled], $"{name}_erf");
                string onePlus = _graph.AddNode("Add", [erf, _graph.AddFloatInitializer($"{name}_one", [1], [1f])], $"{name}_one_plus_erf");
                string half = _graph.AddNode("Mul", [onePlus, _graph.AddFloatInitializer($"{name}_half", [1], [0.5f])], $"{name}_cdf");
                return _graph.AddNode("Mul", [x, half], $"{name}_gelu");
            }
            default:
                throw new NotSupportedException($"Cannot export activation {layer.Activation} to ONNX.");
        }
    }

    private void Output(string column, Tensor tensor)
    {
        Define(column, tensor);
        _outputColumns.Add(column);
    }

    private void AddKeyToValue(string output, string input)
    {
        Tensor key = _columns.TryGetValue(input, out Tensor? found) ? found
            : throw new NotSupportedException($"Cannot export to ONNX: MapKeyToValue('{output}', '{input}') is supported on a FeedForward model's PredictedLabel only.");
        if (key.PredictedClassesOf?.ClassLabels is not { ValueType: { } valueType, Names: { } names } labels)
            throw new NotSupportedException($"Cannot export to ONNX: MapKeyToValue('{output}', '{input}') needs a FeedForward PredictedLabel with key values.");
        string index = _classIndex[key.Name];
        string values;
        OnnxProto.DataType type;
        if (valueType == TextDataViewType.Instance)
        {
            values = _graph.AddStringInitializer($"{output}_values", [labels.Count], names);
            type = OnnxProto.DataType.String;
        }
        else if (valueType == NumberDataViewType.Single)
        {
            float[] numbers = ((VBuffer<float>)labels.Values!).DenseValues().ToArray();
            values = _graph.AddFloatInitializer($"{output}_values", [labels.Count], numbers);
            type = OnnxProto.DataType.Float;
        }
        else
        {
            throw new NotSupportedException($"Cannot export to ONNX: MapKeyToValue('{output}') maps to {valueType}; Text and Single are supported.");
        }
        // Gather along the class axis with the [N, 1] index gives [N, 1] values.
        string gathered = _graph.AddNode("Gather", [values, index], output, OnnxProto.IntAttribute("axis", 0));
        Output(output, new Tensor(gathered, type, 1));
    }
}
