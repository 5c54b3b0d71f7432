using System.Collections.Immutable;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using NeuralML.Bridge;
using NeuralML.Columns;
using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Onnx.Proto;
using NeuralML.Onnx.Translations;

namespace NeuralML.Onnx;

/// <summary>
/// Writes a fitted pipeline as one ONNX model. Before the network: the ML.NET transformers it can translate exactly
/// (Concatenate, affine normalisers, MapValueToKey on the label), or else ML.NET's own export of that part
/// (Microsoft.ML.OnnxConverter) of the runs it does not translate, merged into the graph (<see cref="OnnxGraph.Merge"/>). Then NeuralML's network
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
        if (transformers.Take(network).All(Translates))
        {
            foreach (ITransformer transformer in transformers) exporter.Add(transformer);
        }
        else
        {
            // ML.NET's converter writes the runs of transformers before the network that NeuralML does not translate
            // only itself; the network (and what NeuralML alone translates) is grafted onto its graph.
            for (int start = 0; start < network;)
            {
                if (OnlyNeuralMLTranslates(transformers[start]))
                {
                    exporter.Add(transformers[start++]);
                    continue;
                }
                int end = start;
                while (end < network && !OnlyNeuralMLTranslates(transformers[end])) end++;
                exporter.AddMLNetExport(transformers, start, end, inputData);
                start = end;
            }
            foreach (ITransformer transformer in transformers[network..]) exporter.Add(transformer);
        }
        foreach (string column in exporter._outputColumns.Distinct())
        {
            if (!exporter._columns.TryGetValue(column, out Tensor? tensor))
                throw new NotSupportedException($"Cannot export to ONNX: {exporter._notExportable.GetValueOrDefault(column, $"output column '{column}' was replaced by an unsupported transformer")}.");
            exporter._graph.AddOutput(tensor.Name, column + ".output", tensor.Type, [null, tensor.Width]);
        }
        return exporter._graph.ToModel("NeuralML", IrVersion, Opset, typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0");
    }

    /// <summary>Whether NeuralML translates <paramref name="transformer"/> itself (before the network).</summary>
    private static bool Translates(ITransformer transformer) => transformer switch
    {
        ColumnConcatenatingTransformer or ValueToKeyMappingTransformer => true,
        NormalizingTransformer normalizer => Enumerable.Range(0, MLNetInternals.ColumnPairs(normalizer).Length)
            .All(i => IsAffine(normalizer.GetNormalizerModelParameters(i)) || IsCdfOrBin(normalizer.GetNormalizerModelParameters(i))),
        _ => false,
    };

    /// <summary>
    /// Transformers NeuralML translates and ML.NET's converter does not (the CDF and binning normalisers): they stay
    /// out of the runs handed to the converter.
    /// </summary>
    private static bool OnlyNeuralMLTranslates(ITransformer transformer) => transformer is NormalizingTransformer normalizer
        && Translates(normalizer)
        && Enumerable.Range(0, MLNetInternals.ColumnPairs(normalizer).Length).Any(i => IsCdfOrBin(normalizer.GetNormalizerModelParameters(i)));

    private static bool IsAffine(NormalizingTransformer.NormalizerModelParametersBase parameters)
        => parameters is NormalizingTransformer.AffineNormalizerModelParameters<ImmutableArray<float>> or NormalizingTransformer.AffineNormalizerModelParameters<float>;

    private static bool IsCdfOrBin(NormalizingTransformer.NormalizerModelParametersBase parameters)
        => parameters is NormalizingTransformer.CdfNormalizerModelParameters<ImmutableArray<float>> or NormalizingTransformer.CdfNormalizerModelParameters<float>
            or NormalizingTransformer.BinNormalizerModelParameters<ImmutableArray<float>> or NormalizingTransformer.BinNormalizerModelParameters<float>;

    /// <summary>
    /// Adds ML.NET's own export (Microsoft.ML.OnnxConverter) of <paramref name="transformers"/>[start..end): the columns
    /// computed so far are read from their tensors, the others are the pipeline's input columns; every column the run
    /// outputs is then read from the converter's graph.
    /// </summary>
    private void AddMLNetExport(ITransformer[] transformers, int start, int end, IDataView inputData)
    {
        IDataView atStart = start == 0 ? inputData : new TransformerChain<ITransformer>(transformers[..start]).Transform(inputData);
        ITransformer[] run = transformers[start..end];
        (byte[] bytes, string? problem) = ConvertWithMLNet(run, atStart, null);
        if (problem is not null)
        {
            // Name the transformer: the first part of the run the converter cannot write ends with it (it stops at the
            // last one it cannot write, takes that one's outputs for inputs, and only warns).
            int culprit = Enumerable.Range(0, run.Length).FirstOrDefault(i => ConvertWithMLNet(run[..(i + 1)], atStart, null).Problem is not null, run.Length - 1);
            string why = ConvertWithMLNet(run[..(culprit + 1)], atStart, null).Problem ?? problem;
            throw new NotSupportedException($"Cannot export to ONNX: {DisplayName(run[culprit])} has no ONNX translation in NeuralML, and ML.NET's converter {why}.");
        }
        ModelProto model = ModelProto.Parser.ParseFrom(bytes);
        IReadOnlyDictionary<string, string> tensors = _graph.Merge(model, Opset, _columns.ToDictionary(c => c.Key, c => c.Value.Name));
        const string Suffix = ".output";
        foreach (ValueInfoProto output in model.Graph.Output.Where(o => o.Name.EndsWith(Suffix, StringComparison.Ordinal)))
        {
            TypeProto.Types.Tensor type = output.Type.TensorType;
            long width = type.Shape.Dim.Skip(1).Aggregate(1L, (product, dim) => dim.DimValue > 0 ? product * dim.DimValue : product);
            Define(output.Name[..^Suffix.Length], new Tensor(tensors[output.Name], (OnnxProto.DataType)type.ElemType, width));
        }
    }

    /// <summary>
    /// ML.NET's export of <paramref name="transformers"/> (with only <paramref name="outputColumn"/> as output when
    /// given), or what went wrong: the converter fails on some transformers and, on one it knows it cannot write, only
    /// warns and starts the graph after it.
    /// </summary>
    private static (byte[] Model, string? Problem) ConvertWithMLNet(ITransformer[] transformers, IDataView inputData, string? outputColumn)
    {
        var ml = new MLContext();
        string? problem = null;
        ml.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning && e.RawMessage.Contains("cannot save itself as ONNX", StringComparison.Ordinal))
                problem = "cannot write it";
        };
        var chain = new TransformerChain<ITransformer>(transformers);
        // The converter walks back through the data view's own transforms too, and would stop at (and warn about)
        // those of the input data, such as TrainTestSplit's filter or NeuralML's part of the pipeline; a cache is a root
        // view (nothing is read: only the schema is used). Hidden columns are dropped first: the converter makes a graph
        // input of every column, and a hidden one would take a visible one's name.
        string[] visible = inputData.Schema.Where(c => !c.IsHidden).Select(c => c.Name).ToArray();
        IDataView root = ml.Data.Cache(ml.Transforms.SelectColumns(visible).Fit(inputData).Transform(inputData));
        using var stream = new MemoryStream();
        try
        {
            if (outputColumn is null) ml.Model.ConvertToOnnx(chain, root, stream);
            else ml.Model.ConvertToOnnx(chain, root, stream, outputColumn);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ([], $"fails on it ({e.GetType().Name}: {e.Message})");
        }
        return (stream.ToArray(), problem);
    }

    /// <summary>A transformer's type name, with the type it is nested in (FeaturizeText's is TextFeaturizingEstimator.Transformer).</summary>
    private static string DisplayName(ITransformer transformer)
    {
        Type type = transformer.GetType();
        string name = type.Name.Split('`')[0];
        return type.DeclaringType is { } outer ? $"{outer.Name.Split('`')[0]}.{name}" : name;
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

    /// <summary>One normalised column, by the translation of its kind (each in <c>Onnx/Translations</c>).</summary>
    private void AddNormalizer(string output, Tensor input, NormalizingTransformer.NormalizerModelParametersBase parameters)
    {
        string name = parameters switch
        {
            NormalizingTransformer.AffineNormalizerModelParameters<ImmutableArray<float>> vector => AffineNormalizerTranslation.Add(_graph, input.Name, output, vector.Scale, vector.Offset),
            NormalizingTransformer.AffineNormalizerModelParameters<float> scalar => AffineNormalizerTranslation.Add(_graph, input.Name, output, [scalar.Scale], [scalar.Offset]),
            NormalizingTransformer.CdfNormalizerModelParameters<ImmutableArray<float>> vector => CdfNormalizerTranslation.Add(_graph, input.Name, output, vector.Mean, vector.StandardDeviation, vector.UseLog),
            NormalizingTransformer.CdfNormalizerModelParameters<float> scalar => CdfNormalizerTranslation.Add(_graph, input.Name, output, [scalar.Mean], [scalar.StandardDeviation], scalar.UseLog),
            NormalizingTransformer.BinNormalizerModelParameters<ImmutableArray<float>> vector => BinNormalizerTranslation.Add(_graph, input.Name, output, vector.UpperBounds, vector.Density, vector.Offset),
            NormalizingTransformer.BinNormalizerModelParameters<float> scalar => BinNormalizerTranslation.Add(_graph, input.Name, output, [scalar.UpperBounds], [scalar.Density], [scalar.Offset]),
            _ => throw new NotSupportedException(
                $"Cannot export to ONNX: column '{output}' is normalised by {parameters.GetType().Name.Split('`')[0]}, which NeuralML does not translate."),
        };
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
