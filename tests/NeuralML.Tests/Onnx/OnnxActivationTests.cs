using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Onnx;

/// <summary>
/// Every hidden activation exports to ONNX and gives ML.NET's scores in ONNX Runtime (graph optimisations on), at batch
/// sizes 1 and 64: scores within 1e-5 relative, probabilities within 1e-5 absolute, as the other export tests. GELU's
/// erf differs between NeuralML's approximation (≤ 1.5e-7) and ONNX Runtime's, far inside that.
/// </summary>
public class OnnxActivationTests
{
    public static TheoryData<Activation, int> ActivationsAndBatches()
    {
        var data = new TheoryData<Activation, int>();
        foreach (Activation activation in Enum.GetValues<Activation>().Where(a => a != Activation.Identity))
            foreach (int batch in new[] { 1, 64 })
                data.Add(activation, batch);
        return data;
    }

    [Theory]
    [MemberData(nameof(ActivationsAndBatches))]
    public void Each_activation_matches_onnx_runtime(Activation activation, int batch)
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(RealData.BreastCancer(ml), 0.2, seed: 0);
        var options = new FeedForwardBinaryTrainer.Options { HiddenLayers = [16, 8], Activation = activation, Seed = 1, Epochs = 10 };
        ITransformer model = ml.Transforms.NormalizeMeanVariance("Features").Append(ml.BinaryClassification.Trainers.FeedForward(options)).Fit(split.TrainSet);
        using var stream = new MemoryStream();
        ml.Model.ExportToOnnx(model, split.TestSet, stream);
        using var session = new InferenceSession(stream.ToArray(), new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL });

        List<float[]> features = FloatColumns.Read(split.TestSet, "Features");
        IDataView scored = model.Transform(split.TestSet);
        List<float[]> score = FloatColumns.Read(scored, "Score"), probability = FloatColumns.Read(scored, "Probability");
        for (int start = 0; start < features.Count; start += batch)
        {
            int count = Math.Min(batch, features.Count - start);
            float[] rows = features.Skip(start).Take(count).SelectMany(r => r).ToArray();
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(rows, [count, 30]))]);
            Tensor<float> onnxScore = results.First(r => r.Name == "Score.output").AsTensor<float>();
            Tensor<float> onnxProbability = results.First(r => r.Name == "Probability.output").AsTensor<float>();
            for (int r = 0; r < count; r++)
            {
                float expected = score[start + r][0];
                Assert.True(Math.Abs(expected - onnxScore[r, 0]) <= 1e-5 * Math.Max(1, Math.Abs(expected)),
                    $"{activation} Score[{start + r}]: ML.NET {expected:R}, ONNX Runtime {onnxScore[r, 0]:R}");
                Assert.True(Math.Abs(probability[start + r][0] - onnxProbability[r, 0]) <= 1e-5,
                    $"{activation} Probability[{start + r}]: ML.NET {probability[start + r][0]:R}, ONNX Runtime {onnxProbability[r, 0]:R}");
            }
        }
    }
}
