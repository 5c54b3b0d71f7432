using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Transforms;
using NeuralML.Onnx.Proto;

namespace NeuralML.Tests.Onnx;

/// <summary>
/// Pipelines with transformers NeuralML does not translate itself (one-hot and hashed categories, missing values):
/// ML.NET's converter writes the part before the network and NeuralML grafts its network onto that graph. ONNX Runtime
/// (graph optimisations on), fed the raw string and float columns, gives ML.NET's predictions on every row, at batch
/// sizes 1 and 64, with categories never seen in training and missing values at scoring time: probabilities within
/// 1e-5 absolute, scores within 1e-5 relative, labels exactly.
/// </summary>
public class OnnxGraftTests
{
    private sealed class Row
    {
        public string Color { get; set; } = "";
        public string Shape { get; set; } = "";
        public float Size { get; set; }
        [VectorType(2)] public float[] Nums { get; set; } = [];
        public bool Label { get; set; }
        public string Kind { get; set; } = "";
        public float Target { get; set; }
    }

    private sealed class Scored
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    private sealed class ScoredKind
    {
        [VectorType] public float[] Score { get; set; } = [];
        public string PredictedKind { get; set; } = "";
    }

    /// <summary>Rows whose label depends on the category, the size and the numbers; some sizes missing.</summary>
    private static List<Row> Rows(int count, int seed, string[] colors)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            string color = colors[random.Next(colors.Length)];
            float size = random.Next(10) == 0 ? float.NaN : (float)random.NextDouble() * 10;
            float a = (float)random.NextGaussian(), b = (float)random.NextGaussian();
            double logit = (color == "red" ? 1.5 : color == "blue" ? -1 : 0) + (float.IsNaN(size) ? 0 : (size - 5) / 3) + a - 0.5 * b;
            string shape = random.Next(3) switch { 0 => "round", 1 => "square", _ => "flat" };
            return new Row { Color = color, Shape = shape, Size = size, Nums = [a, b], Label = logit > 0, Kind = logit > 1 ? "high" : logit > -1 ? "mid" : "low", Target = (float)logit };
        }).ToList();
    }

    private static IEstimator<ITransformer> Features(MLContext ml) =>
        ml.Transforms.Categorical.OneHotEncoding("ColorOneHot", "Color")
            .Append(ml.Transforms.Categorical.OneHotHashEncoding("ShapeHash", "Shape", numberOfBits: 4))
            .Append(ml.Transforms.IndicateMissingValues("SizeMissing", "Size"))
            .Append(ml.Transforms.Conversion.ConvertType("SizeMissingFloat", "SizeMissing", DataKind.Single))
            .Append(ml.Transforms.ReplaceMissingValues("Size"))
            .Append(ml.Transforms.Concatenate("Features", "ColorOneHot", "ShapeHash", "Size", "SizeMissingFloat", "Nums"))
            .Append(ml.Transforms.NormalizeMeanVariance("Features"));

    private static byte[] Export(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.ExportToOnnx(model, data, stream);
        return stream.ToArray();
    }

    /// <summary>Runs the session on the test rows' raw columns in batches; returns each output's values per row.</summary>
    private static Dictionary<string, List<object>> Run(byte[] onnx, List<Row> rows, int batch)
    {
        using var session = new InferenceSession(onnx, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL });
        var results = new Dictionary<string, List<object>>();
        for (int start = 0; start < rows.Count; start += batch)
        {
            List<Row> part = rows.GetRange(start, Math.Min(batch, rows.Count - start));
            var feeds = new List<NamedOnnxValue>();
            foreach (string name in session.InputMetadata.Keys)
            {
                feeds.Add(name switch
                {
                    "Color" => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(part.Select(r => r.Color).ToArray(), [part.Count, 1])),
                    "Shape" => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(part.Select(r => r.Shape).ToArray(), [part.Count, 1])),
                    "Size" => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(part.Select(r => r.Size).ToArray(), [part.Count, 1])),
                    "Nums" => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(part.SelectMany(r => r.Nums).ToArray(), [part.Count, 2])),
                    _ => throw new InvalidOperationException($"The exported model asks for input '{name}'."),
                });
            }
            using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> outputs = session.Run(feeds);
            foreach (DisposableNamedOnnxValue output in outputs)
            {
                List<object> values = results.TryGetValue(output.Name, out var list) ? list : results[output.Name] = [];
                switch (output.Value)
                {
                    case Tensor<float> floats:
                        int width = (int)(floats.Length / part.Count);
                        for (int r = 0; r < part.Count; r++) values.Add(Enumerable.Range(0, width).Select(k => floats.GetValue(r * width + k)).ToArray());
                        break;
                    case Tensor<bool> bools:
                        for (int r = 0; r < part.Count; r++) values.Add(bools.GetValue(r));
                        break;
                    case Tensor<string> strings:
                        for (int r = 0; r < part.Count; r++) values.Add(strings.GetValue(r));
                        break;
                }
            }
        }
        return results;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    public void A_categorical_binary_pipeline_matches_onnx_runtime_from_raw_columns(int batch)
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Rows(400, 1, ["red", "green", "blue"]));
        // Scoring rows with a colour never seen in training ("purple": all-zero one-hot) and missing sizes.
        List<Row> testRows = Rows(150, 2, ["red", "green", "blue", "purple"]);
        IDataView test = ml.Data.LoadFromEnumerable(testRows);
        ITransformer model = Features(ml).Append(ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [8], Epochs = 20, Seed = 1 })).Fit(train);

        byte[] onnx = Export(ml, model, train);
        ModelProto parsed = ModelProto.Parser.ParseFrom(onnx);
        // The raw columns the outputs depend on; not the label, which only ML.NET's part of the pipeline read.
        Assert.Equal(["Color", "Nums", "Shape", "Size"], parsed.Graph.Input.Select(i => i.Name).Order());
        Assert.Equal(["Score.output", "Probability.output", "PredictedLabel.output"], parsed.Graph.Output.Select(o => o.Name));
        Assert.Equal(13, parsed.OpsetImport.Single(o => o.Domain == "").Version);

        var expected = ml.Data.CreateEnumerable<Scored>(model.Transform(test), reuseRowObject: false).ToList();
        Dictionary<string, List<object>> actual = Run(onnx, testRows, batch);
        for (int i = 0; i < expected.Count; i++)
        {
            float score = ((float[])actual["Score.output"][i])[0];
            Assert.True(Math.Abs(expected[i].Score - score) <= 1e-5 * Math.Max(1, Math.Abs(expected[i].Score)), $"Score[{i}]: {expected[i].Score} vs {score}");
            Assert.Equal(expected[i].Probability, ((float[])actual["Probability.output"][i])[0], 1e-5);
            Assert.Equal(expected[i].PredictedLabel, (bool)actual["PredictedLabel.output"][i]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    public void A_categorical_multiclass_pipeline_maps_the_predicted_key_back_to_its_name_in_onnx_runtime(int batch)
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Rows(400, 3, ["red", "green", "blue"]));
        List<Row> testRows = Rows(120, 4, ["red", "green", "blue", "purple"]);
        IDataView test = ml.Data.LoadFromEnumerable(testRows);
        ITransformer model = ml.Transforms.Conversion.MapValueToKey("Label", "Kind")
            .Append(Features(ml))
            .Append(ml.MulticlassClassification.Trainers.FeedForward(new FeedForwardMulticlassTrainer.Options { HiddenLayers = [8], Epochs = 20, Seed = 1 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedKind", "PredictedLabel"))
            .Fit(train);

        byte[] onnx = Export(ml, model, train);
        Assert.DoesNotContain(ModelProto.Parser.ParseFrom(onnx).Graph.Input, i => i.Name is "Kind" or "Label");

        var expected = ml.Data.CreateEnumerable<ScoredKind>(model.Transform(test), reuseRowObject: false).ToList();
        Dictionary<string, List<object>> actual = Run(onnx, testRows, batch);
        for (int i = 0; i < expected.Count; i++)
        {
            float[] scores = (float[])actual["Score.output"][i];
            for (int k = 0; k < scores.Length; k++) Assert.Equal(expected[i].Score[k], scores[k], 1e-5);
            Assert.Equal(expected[i].PredictedKind, (string)actual["PredictedKind.output"][i]);
        }
    }

    /// <summary>
    /// A regression pipeline that alternates between ML.NET's converter and NeuralML's own translations: one-hot and
    /// missing-value steps (ML.NET), the log-CDF and binning normalisers (NeuralML), then Concatenate and NormalizeMinMax
    /// (ML.NET again, reading NeuralML's tensors; NormalizeRobustScaling, tested in NormalizerTranslationTests, fails
    /// inside ML.NET's Fit on this sparse one-hot column). Scores within 1e-5 relative.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    public void A_pipeline_alternating_between_MLNets_converter_and_NeuralMLs_translations_matches_onnx_runtime(int batch)
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Rows(400, 8, ["red", "green", "blue"]));
        List<Row> testRows = Rows(100, 9, ["red", "green", "blue", "purple"]);
        IDataView test = ml.Data.LoadFromEnumerable(testRows);
        ITransformer model = ml.Transforms.Categorical.OneHotEncoding("ColorOneHot", "Color")
            .Append(ml.Transforms.ReplaceMissingValues("Size"))
            .Append(ml.Transforms.NormalizeLogMeanVariance("SizeCdf", "Size"))
            .Append(ml.Transforms.NormalizeBinning("NumsBinned", "Nums", maximumBinCount: 8))
            .Append(ml.Transforms.Concatenate("Features", "ColorOneHot", "SizeCdf", "NumsBinned", "Nums"))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { LabelColumnName = "Target", HiddenLayers = [8], Epochs = 20, Seed = 1 }))
            .Fit(train);

        byte[] onnx = Export(ml, model, train);
        GraphProto graph = ModelProto.Parser.ParseFrom(onnx).Graph;
        // One graph from three sources: node names and the tensors nodes write are unique.
        Assert.Equal(graph.Node.Count, graph.Node.Select(n => n.Name).Distinct().Count());
        Assert.Equal(graph.Node.Sum(n => n.Output.Count), graph.Node.SelectMany(n => n.Output).Distinct().Count());
        float[] expected = model.Transform(test).GetColumn<float>("Score").ToArray();
        Dictionary<string, List<object>> actual = Run(onnx, testRows, batch);
        for (int i = 0; i < expected.Length; i++)
        {
            float score = ((float[])actual["Score.output"][i])[0];
            Assert.True(Math.Abs(expected[i] - score) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"Score[{i}]: {expected[i]} vs {score}");
        }

        // ML.NET reads it back too.
        using var file = new Support.TempFile(".onnx");
        File.WriteAllBytes(file.Path, onnx);
        var onnxModel = ml.Transforms.ApplyOnnxModel(["Score.output"], ["Color", "Size", "Nums"], file.Path).Fit(test);
        float[] fromOnnx = onnxModel.Transform(test).GetColumn<float[]>("Score").Select(p => p[0]).ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - fromOnnx[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"ApplyOnnxModel Score[{i}]");
        (onnxModel as IDisposable)?.Dispose();
    }

    /// <summary>A chain nested in a chain (features fitted on their own, the network appended to them) exports the same way.</summary>
    [Fact]
    public void A_chain_nested_in_a_chain_exports()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Rows(300, 11, ["red", "green", "blue"]));
        List<Row> testRows = Rows(60, 12, ["red", "green", "blue", "purple"]);
        ITransformer features = Features(ml).Fit(train);
        var network = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [8], Epochs = 10, Seed = 1 }).Fit(features.Transform(train));
        ITransformer nested = new TransformerChain<ITransformer>(features, new TransformerChain<FeedForwardPredictionTransformer>(network));

        float[] expected = nested.Transform(ml.Data.LoadFromEnumerable(testRows)).GetColumn<float>("Probability").ToArray();
        Dictionary<string, List<object>> actual = Run(Export(ml, nested, train), testRows, 64);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], ((float[])actual["Probability.output"][i])[0], 1e-5);
    }

    /// <summary>ML.NET's ApplyOnnxModel reads the grafted model back from the raw columns and gives ML.NET's probabilities.</summary>
    [Fact]
    public void The_grafted_model_loads_back_into_MLNet_with_ApplyOnnxModel()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Rows(300, 6, ["red", "green", "blue"]));
        IDataView test = ml.Data.LoadFromEnumerable(Rows(80, 7, ["red", "green", "blue", "purple"]));
        ITransformer model = Features(ml).Append(ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [8], Epochs = 10, Seed = 1 })).Fit(train);
        using var file = new Support.TempFile(".onnx");
        File.WriteAllBytes(file.Path, Export(ml, model, train));
        // Input data that is itself a transformed view (TrainTestSplit's filter) gives the same model.
        Assert.Equal(File.ReadAllBytes(file.Path), Export(ml, model, ml.Data.TrainTestSplit(train, 0.2, seed: 1).TrainSet));

        var onnxModel = ml.Transforms.ApplyOnnxModel(["Probability.output"], ["Color", "Shape", "Size", "Nums"], file.Path).Fit(test);
        float[] fromOnnx = onnxModel.Transform(test).GetColumn<float[]>("Probability").Select(p => p[0]).ToArray();
        float[] fromMLNet = model.Transform(test).GetColumn<float>("Probability").ToArray();
        Assert.Equal(fromMLNet.Length, fromOnnx.Length);
        for (int i = 0; i < fromMLNet.Length; i++) Assert.Equal(fromMLNet[i], fromOnnx[i], 1e-5);
        (onnxModel as IDisposable)?.Dispose();
    }

    /// <summary>
    /// Nodes written for opset 12 whose signature changed in 13 (axes as inputs) are rewritten when grafted into the
    /// opset-13 graph: ONNX Runtime runs the result and gives what the opset-12 operators mean.
    /// </summary>
    [Fact]
    public void Opset_12_axes_attributes_become_opset_13_inputs()
    {
        var model = new ModelProto { IrVersion = 6, Graph = new GraphProto() };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 12 });
        model.Graph.Input.Add(NeuralML.Onnx.OnnxProto.TensorValueInfo("X", NeuralML.Onnx.OnnxProto.DataType.Float, [null, 3]));
        NodeProto Node(string op, string input, string output, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = op, Name = op, Input = { input }, Output = { output } };
            node.Attribute.AddRange(attributes);
            return node;
        }
        AttributeProto Ints(string name, params long[] values) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { values } };
        model.Graph.Node.Add(Node("Unsqueeze", "X", "Y", Ints("axes", 1)));                                                       // [N, 1, 3]
        model.Graph.Node.Add(Node("ReduceSum", "Y", "Z", Ints("axes", 2), new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 })); // [N, 1]
        model.Graph.Node.Add(Node("Squeeze", "Z", "W", Ints("axes", 1)));                                                         // [N]
        var graph = new NeuralML.Onnx.OnnxGraph();
        graph.Merge(model, 13, new Dictionary<string, string>());
        graph.AddOutput("W", "W.output", NeuralML.Onnx.OnnxProto.DataType.Float, [null]);
        byte[] onnx = graph.ToModel("upgrade", 7, 13, "test");

        using var session = new InferenceSession(onnx);
        float[] x = [1, 2, 3, -4, 5, 0.5f];
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor("X", new DenseTensor<float>(x, [2, 3]))]);
        Assert.Equal([6f, 1.5f], outputs.Single().AsTensor<float>().ToArray());
    }

    /// <summary>What ML.NET's converter refuses (binary one-hot) or fails on (FeaturizeText) is named, and nothing is written.</summary>
    [Fact]
    public void Transformers_MLNets_converter_refuses_or_fails_on_are_named_and_nothing_is_written()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Rows(100, 10, ["red", "green", "blue"]));
        IEstimator<ITransformer> Network() => ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [4], Epochs = 2, Seed = 1 });
        ITransformer binary = ml.Transforms.Categorical.OneHotEncoding("ColorBinary", "Color", OneHotEncodingEstimator.OutputKind.Binary)
            .Append(ml.Transforms.Concatenate("Features", "ColorBinary", "Nums")).Append(Network()).Fit(train);
        ITransformer text = ml.Transforms.Text.FeaturizeText("ShapeText", "Shape")
            .Append(ml.Transforms.Concatenate("Features", "ShapeText", "Nums")).Append(Network()).Fit(train);
        foreach ((ITransformer model, string name) in new[] { (binary, "OneHotEncoding"), (text, "TextFeaturizing") })
        {
            using var stream = new MemoryStream();
            var error = Assert.Throws<NotSupportedException>(() => ml.Model.ExportToOnnx(model, train, stream));
            Assert.True(error.Message.Contains(name, StringComparison.Ordinal), error.Message);
            Assert.Equal(0, stream.Length);
        }
    }

    private sealed class Doubled
    {
        [VectorType(2)] public float[] Nums { get; set; } = [];
    }

    [Fact]
    public void A_transformer_neither_can_export_is_named_and_nothing_is_written()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Rows(100, 5, ["red", "green"]));
        ITransformer model = ml.Transforms.CustomMapping<Row, Doubled>((row, doubled) => doubled.Nums = [row.Nums[0] * 2, row.Nums[1] * 2], contractName: null)
            .Append(ml.Transforms.Concatenate("Features", "Nums"))
            .Append(ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [4], Epochs = 2, Seed = 1 }))
            .Fit(train);
        using var stream = new MemoryStream();
        var error = Assert.Throws<NotSupportedException>(() => ml.Model.ExportToOnnx(model, train, stream));
        Assert.Contains("CustomMappingTransformer", error.Message);
        Assert.Equal(0, stream.Length);
    }
}

internal static class RandomGaussian
{
    public static double NextGaussian(this Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
