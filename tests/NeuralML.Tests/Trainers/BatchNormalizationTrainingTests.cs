using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Trainers;

/// <summary>
/// BatchNormalization through ML.NET: the network learns, the normalisation is folded away (the model is plain dense
/// layers), and the folded model scores the same bits through Transform, PredictionEngine and Save/Load, and ONNX
/// Runtime's within the export tests' tolerances.
/// </summary>
public class BatchNormalizationTrainingTests
{
    [Fact]
    public void A_normalised_network_learns_is_folded_and_scores_alike_everywhere()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(RealData.BreastCancer(ml), 0.2, seed: 0);
        var options = new FeedForwardBinaryTrainer.Options { HiddenLayers = [32, 16], BatchNormalization = true, Seed = 1, Epochs = 30, EarlyStoppingRounds = 10 };
        var model = ml.Transforms.NormalizeMeanVariance("Features").Append(ml.BinaryClassification.Trainers.FeedForward(options)).Fit(split.TrainSet);
        FeedForwardModelParameters network = model.LastTransformer.Model;
        IDataView scored = model.Transform(split.TestSet);

        Assert.True(ml.BinaryClassification.Evaluate(scored).AreaUnderRocCurve > 0.97);
        Assert.Equal(30 * 32 + 32 + 32 * 16 + 16 + 16 + 1, network.ParameterCount); // plain dense layers
        Assert.All(network.TrainingHistory.Epochs, e => Assert.True(double.IsFinite(e.ValidationLoss!.Value)));

        var engine = ml.Model.CreatePredictionEngine<Tumour, Prediction>(model);
        List<float[]> score = FloatColumns.Read(scored, "Score"), probability = FloatColumns.Read(scored, "Probability");
        List<Tumour> rows = ml.Data.CreateEnumerable<Tumour>(split.TestSet, reuseRowObject: false).ToList();
        for (int i = 0; i < rows.Count; i++) Assert.Equal(score[i][0], engine.Predict(rows[i]).Score);

        using var file = new TempFile(".zip");
        ml.Model.Save(model, split.TrainSet.Schema, file.Path);
        var loadContext = new MLContext();
        loadContext.ComponentCatalog.RegisterNeuralML();
        Assert.Equal(score, FloatColumns.Read(loadContext.Model.Load(file.Path, out _).Transform(split.TestSet), "Score"));

        using var stream = new MemoryStream();
        ml.Model.ExportToOnnx(model, split.TestSet, stream);
        using var session = new InferenceSession(stream.ToArray(), new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL });
        foreach (int batch in new[] { 1, 64 })
        {
            for (int start = 0; start < rows.Count; start += batch)
            {
                int count = Math.Min(batch, rows.Count - start);
                float[] features = rows.Skip(start).Take(count).SelectMany(r => r.Features).ToArray();
                using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(features, [count, 30]))]);
                Tensor<float> onnxScore = results.First(r => r.Name == "Score.output").AsTensor<float>();
                Tensor<float> onnxProbability = results.First(r => r.Name == "Probability.output").AsTensor<float>();
                for (int r = 0; r < count; r++)
                {
                    float expected = score[start + r][0];
                    Assert.True(Math.Abs(expected - onnxScore[r, 0]) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"Score[{start + r}]");
                    Assert.True(Math.Abs(probability[start + r][0] - onnxProbability[r, 0]) <= 1e-5, $"Probability[{start + r}]");
                }
            }
        }
    }

    private sealed class Tumour
    {
        [VectorType(30)] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
    }
}
