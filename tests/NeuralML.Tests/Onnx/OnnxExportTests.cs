using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Onnx;

/// <summary>
/// Exported models give ML.NET's predictions in ONNX Runtime (graph optimisations on), on every test row, at batch
/// sizes 1 and 64: probabilities within 1e-5 absolute, scores within 1e-5 relative (1e-5 absolute near zero).
/// </summary>
public class OnnxExportTests
{
    private static readonly FeedForwardBinaryTrainer.Options BinaryOptions = new() { HiddenLayers = [16, 8], Seed = 1, Epochs = 30 };

    private static byte[] Export(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.ExportToOnnx(model, data, stream);
        return stream.ToArray();
    }

    private static InferenceSession Session(byte[] onnx)
        => new(onnx, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL });

    /// <summary>Runs the session on the rows of <paramref name="inputs"/> (each a float vector of one column) in batches.</summary>
    private static Dictionary<string, List<object>> Run(InferenceSession session, string[] inputNames, List<float[]>[] inputs, int batch)
    {
        var results = new Dictionary<string, List<object>>();
        int rows = inputs[0].Count;
        for (int start = 0; start < rows; start += batch)
        {
            int count = Math.Min(batch, rows - start);
            var feeds = new List<NamedOnnxValue>();
            for (int c = 0; c < inputNames.Length; c++)
            {
                int width = inputs[c][0].Length;
                var data = new float[count * width];
                for (int r = 0; r < count; r++) inputs[c][start + r].CopyTo(data, r * width);
                feeds.Add(NamedOnnxValue.CreateFromTensor(inputNames[c], new DenseTensor<float>(data, [count, width])));
            }
            using var outputs = session.Run(feeds);
            foreach (var output in outputs)
            {
                var list = results.TryGetValue(output.Name, out var existing) ? existing : results[output.Name] = [];
                object value = output.Value;
                switch (value)
                {
                    case Tensor<float> t:
                        for (int r = 0; r < count; r++) list.Add(Enumerable.Range(0, t.Dimensions[1]).Select(j => t[r, j]).ToArray());
                        break;
                    case Tensor<bool> t:
                        for (int r = 0; r < count; r++) list.Add(t[r, 0]);
                        break;
                    case Tensor<uint> t:
                        for (int r = 0; r < count; r++) list.Add(t[r, 0]);
                        break;
                    case Tensor<string> t:
                        for (int r = 0; r < count; r++) list.Add(t[r, 0]);
                        break;
                    default:
                        throw new InvalidOperationException($"Unexpected output type {value.GetType()}.");
                }
            }
        }
        return results;
    }

    private static List<float[]> Column(IDataView data, string name) => FloatColumns.Read(data, name);

    private static void AssertClose(float expected, float actual, bool relative, string what)
    {
        double tolerance = relative ? 1e-5 * Math.Max(1, Math.Abs(expected)) : 1e-5;
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: ML.NET {expected:R}, ONNX Runtime {actual:R}");
    }

    /// <summary>The defaults on a small set give a folded ensemble of five: it exports like any network.</summary>
    [Fact]
    public void The_default_ensemble_matches_onnx_runtime()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(RealData.Diabetes(ml), 0.2, seed: 0);
        TransformerChain<FeedForwardPredictionTransformer> model = ml.Transforms.NormalizeMeanVariance("Features").Append(ml.Regression.Trainers.FeedForward()).Fit(split.TrainSet);
        Assert.True(model.LastTransformer.Model.LayerSizes is [10, 320 or 640, ..], $"layers {string.Join("-", model.LastTransformer.Model.LayerSizes)}");

        using InferenceSession session = Session(Export(ml, model, split.TestSet));
        var onnx = Run(session, ["Features"], [Column(split.TestSet, "Features")], 16);
        List<float[]> score = Column(model.Transform(split.TestSet), "Score");
        Assert.Equal(score.Count, onnx["Score.output"].Count);
        for (int i = 0; i < score.Count; i++)
            AssertClose(score[i][0], ((float[])onnx["Score.output"][i])[0], relative: true, $"Score[{i}]");
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 64)]
    [InlineData(false, 1)]
    [InlineData(false, 64)]
    public void Binary_pipeline_matches_onnx_runtime(bool normalize, int batch)
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(RealData.BreastCancer(ml), 0.2, seed: 0);
        IEstimator<ITransformer> trainer = ml.BinaryClassification.Trainers.FeedForward(BinaryOptions);
        IEstimator<ITransformer> pipeline = normalize ? ml.Transforms.NormalizeMeanVariance("Features").Append(trainer) : trainer;
        ITransformer model = pipeline.Fit(split.TrainSet);

        using InferenceSession session = Session(Export(ml, model, split.TestSet));
        var onnx = Run(session, ["Features"], [Column(split.TestSet, "Features")], batch);
        IDataView scored = model.Transform(split.TestSet);
        List<float[]> score = Column(scored, "Score"), probability = Column(scored, "Probability");
        var predicted = ml.Data.CreateEnumerable<BinaryOutput>(scored, reuseRowObject: false).ToList();
        Assert.Equal(score.Count, onnx["Score.output"].Count);
        for (int i = 0; i < score.Count; i++)
        {
            AssertClose(score[i][0], ((float[])onnx["Score.output"][i])[0], relative: true, $"Score[{i}]");
            AssertClose(probability[i][0], ((float[])onnx["Probability.output"][i])[0], relative: false, $"Probability[{i}]");
            if (Math.Abs(score[i][0]) > 1e-4) Assert.Equal(predicted[i].PredictedLabel, (bool)onnx["PredictedLabel.output"][i]);
        }
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 64)]
    [InlineData(false, 1)]
    [InlineData(false, 64)]
    public void Multiclass_pipeline_with_concatenate_and_key_mappings_matches_onnx_runtime(bool normalize, int batch)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromTextFile(Path.Combine(AppContext.BaseDirectory, "Data", "iris.csv"),
        [
            new TextLoader.Column("SepalLength", DataKind.Single, 0), new TextLoader.Column("SepalWidth", DataKind.Single, 1),
            new TextLoader.Column("Petals", DataKind.Single, 2, 3), new TextLoader.Column("Species", DataKind.String, 4),
        ], separatorChar: ',', hasHeader: true);
        IEstimator<ITransformer> features = ml.Transforms.Conversion.MapValueToKey("Label", "Species")
            .Append(ml.Transforms.Concatenate("Features", "SepalLength", "Petals", "SepalWidth"));
        var pipeline = (normalize ? features.Append(ml.Transforms.NormalizeMinMax("Features")) : features)
            .Append(ml.MulticlassClassification.Trainers.FeedForward(new FeedForwardMulticlassTrainer.Options { HiddenLayers = [8], Seed = 1, Activation = Activation.Tanh }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedSpecies", "PredictedLabel"));
        ITransformer model = pipeline.Fit(data);

        using InferenceSession session = Session(Export(ml, model, data));
        Assert.Equal(["Petals", "SepalLength", "SepalWidth"], session.InputMetadata.Keys.Order());
        var onnx = Run(session, ["SepalLength", "SepalWidth", "Petals"], [Column(data, "SepalLength"), Column(data, "SepalWidth"), Column(data, "Petals")], batch);
        IDataView scored = model.Transform(data);
        List<float[]> score = Column(scored, "Score");
        var predicted = ml.Data.CreateEnumerable<MulticlassOutput>(scored, reuseRowObject: false).ToList();
        for (int i = 0; i < score.Count; i++)
        {
            float[] actual = (float[])onnx["Score.output"][i];
            for (int k = 0; k < 3; k++) AssertClose(score[i][k], actual[k], relative: false, $"Score[{i}, {k}]");
            Assert.Equal(predicted[i].PredictedLabel, (uint)onnx["PredictedLabel.output"][i]);
            Assert.Equal(predicted[i].PredictedSpecies, (string)onnx["PredictedSpecies.output"][i]);
        }
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 64)]
    [InlineData(false, 64)]
    public void Regression_pipeline_matches_onnx_runtime(bool normalize, int batch)
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(RealData.Diabetes(ml), 0.2, seed: 0);
        IEstimator<ITransformer> trainer = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { HiddenLayers = [16], Seed = 1, Activation = Activation.Elu });
        IEstimator<ITransformer> pipeline = normalize ? ml.Transforms.NormalizeMinMax("Features").Append(trainer) : trainer;
        ITransformer model = pipeline.Fit(split.TrainSet);

        using InferenceSession session = Session(Export(ml, model, split.TestSet));
        var onnx = Run(session, ["Features"], [Column(split.TestSet, "Features")], batch);
        List<float[]> score = Column(model.Transform(split.TestSet), "Score");
        for (int i = 0; i < score.Count; i++) AssertClose(score[i][0], ((float[])onnx["Score.output"][i])[0], relative: true, $"Score[{i}]");
    }

    [Fact]
    public void Exported_model_loads_back_into_MLNet_with_ApplyOnnxModel()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(RealData.BreastCancer(ml), 0.2, seed: 0);
        ITransformer model = ml.Transforms.NormalizeMeanVariance("Features").Append(ml.BinaryClassification.Trainers.FeedForward(BinaryOptions)).Fit(split.TrainSet);
        using var file = new TempFile(".onnx");
        string path = file.Path;
        File.WriteAllBytes(path, Export(ml, model, split.TestSet));
        var onnxModel = ml.Transforms.ApplyOnnxModel(["Probability.output"], ["Features"], path).Fit(split.TestSet);
        // ML.NET maps the graph output "Probability.output" back to a column named "Probability".
        List<float[]> fromOnnx = Column(onnxModel.Transform(split.TestSet), "Probability");
        List<float[]> fromMLNet = Column(model.Transform(split.TestSet), "Probability");
        Assert.Equal(fromMLNet.Count, fromOnnx.Count);
        for (int i = 0; i < fromMLNet.Count; i++) AssertClose(fromMLNet[i][0], fromOnnx[i][0], relative: false, $"Probability[{i}]");
        (onnxModel as IDisposable)?.Dispose();
    }

    [Fact]
    public void The_README_example_scores_the_exported_model()
    {
        var ml = new MLContext(seed: 1);
        IDataView trainData = RealData.BreastCancer(ml);
        ITransformer model = ml.Transforms.NormalizeMeanVariance("Features").Append(ml.BinaryClassification.Trainers.FeedForward(BinaryOptions)).Fit(trainData);
        using var file = new TempFile(".onnx");
        string path = file.Path;
        using (var stream = File.Create(path))
            ml.Model.ExportToOnnx(model, trainData, stream);

        // As in the README:
        using var session = new InferenceSession(path);
        float[] rows = Column(trainData, "Features").Take(5).SelectMany(r => r).ToArray();
        var input = NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(rows, [rows.Length / 30, 30]));
        using var results = session.Run([input]);
        Tensor<float> probability = results.First(r => r.Name == "Probability.output").AsTensor<float>();

        Assert.Equal([5, 1], probability.Dimensions.ToArray());
        List<float[]> expected = Column(model.Transform(trainData), "Probability");
        for (int i = 0; i < 5; i++) AssertClose(expected[i][0], probability[i, 0], relative: false, $"Probability[{i}]");
    }

    /// <summary>
    /// NormalizeLogMeanVariance and ReplaceMissingValues were refused by the first exporter; they now export, the first
    /// by NeuralML's translation, the second by ML.NET's converter (their parity with ONNX Runtime is checked in
    /// NormalizerTranslationTests and OnnxGraftTests, like the naming of a transformer neither can export).
    /// </summary>
    [Fact]
    public void Transformers_the_first_exporter_refused_now_export()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = RealData.BreastCancer(ml);
        ITransformer model = ml.Transforms.NormalizeLogMeanVariance("Features")
            .Append(ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [4], Epochs = 1 })).Fit(data);
        Assert.NotEmpty(Export(ml, model, data));

        ITransformer other = ml.Transforms.ReplaceMissingValues("Features")
            .Append(ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [4], Epochs = 1 })).Fit(data);
        Assert.NotEmpty(Export(ml, other, data));
    }

    [Fact]
    public void Exporting_a_prediction_that_a_later_step_replaced_is_refused_cleanly()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = RealData.BreastCancer(ml);
        var model = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [4], Epochs = 1 })
            .Append(ml.Transforms.Conversion.MapValueToKey("PredictedLabel")).Fit(data);
        var ex = Assert.Throws<NotSupportedException>(() => ml.Model.ExportToOnnx(model, data, new MemoryStream()));
        Assert.Contains("PredictedLabel", ex.Message);
    }

    private sealed class BinaryOutput
    {
        public bool PredictedLabel { get; set; }
    }

    private sealed class MulticlassOutput
    {
        public uint PredictedLabel { get; set; }
        public string PredictedSpecies { get; set; } = "";
    }
}
