using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Onnx;

/// <summary>
/// NeuralML's own translations of the normalisers ML.NET's converter refuses (Onnx/Translations): the CDF normaliser
/// (NormalizeLogMeanVariance, NormalizeMeanVariance with useCdf) and the binning normalisers (NormalizeBinning with and
/// without fixZero, NormalizeSupervisedBinning), plus the affine ones they sit beside (NormalizeRobustScaling,
/// NormalizeLogMeanVariance without the CDF). Each is exported in front of a regression network and scored by ONNX
/// Runtime on every test row at batch sizes 1 and 64; the test rows include zeros and negative values (outside the
/// logarithm's domain) and values beyond every bin. Scores within 1e-5 relative of ML.NET's.
/// </summary>
public class NormalizerTranslationTests
{
    public static TheoryData<string, int> Normalizers()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in new[] { "LogMeanVariance", "MeanVarianceCdf", "Binning", "BinningNoFixZero", "SupervisedBinning", "RobustScaling", "LogMeanVarianceNoCdf" })
            foreach (int batch in new[] { 1, 64 })
                data.Add(name, batch);
        return data;
    }

    private static IEstimator<ITransformer> Normalizer(MLContext ml, string name) => name switch
    {
        "LogMeanVariance" => ml.Transforms.NormalizeLogMeanVariance("Features"),
        "MeanVarianceCdf" => ml.Transforms.NormalizeMeanVariance("Features", useCdf: true),
        "Binning" => ml.Transforms.NormalizeBinning("Features", maximumBinCount: 16),
        "BinningNoFixZero" => ml.Transforms.NormalizeBinning("Features", fixZero: false, maximumBinCount: 16),
        "SupervisedBinning" => ml.Transforms.NormalizeSupervisedBinning("Features", labelColumnName: "Label", maximumBinCount: 16),
        "RobustScaling" => ml.Transforms.NormalizeRobustScaling("Features"),
        "LogMeanVarianceNoCdf" => ml.Transforms.NormalizeLogMeanVariance("Features", useCdf: false),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private sealed class Row
    {
        [VectorType(10)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    [Theory]
    [MemberData(nameof(Normalizers))]
    public void The_normaliser_exports_and_scores_as_in_MLNet(string name, int batch)
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(RealData.Diabetes(ml), 0.2, seed: 0);
        // Diabetes' features are positive except none; the test rows get zeros and negatives in some slots.
        List<Row> testRows = ml.Data.CreateEnumerable<Row>(split.TestSet, reuseRowObject: false).ToList();
        for (int i = 0; i < testRows.Count; i += 3) testRows[i].Features[i % 10] = 0f;
        for (int i = 1; i < testRows.Count; i += 4) testRows[i].Features[(i + 3) % 10] = -testRows[i].Features[(i + 3) % 10] - 1;
        for (int i = 2; i < testRows.Count; i += 5) testRows[i].Features[(i + 5) % 10] *= 1000;
        IDataView test = ml.Data.LoadFromEnumerable(testRows);
        ITransformer model = Normalizer(ml, name)
            .Append(ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { HiddenLayers = [8], Epochs = 5, Seed = 1 }))
            .Fit(split.TrainSet);

        using var stream = new MemoryStream();
        ml.Model.ExportToOnnx(model, split.TrainSet, stream);
        using var session = new InferenceSession(stream.ToArray(), new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL });
        float[] expected = model.Transform(test).GetColumn<float>("Score").ToArray();
        var actual = new List<float>();
        for (int start = 0; start < testRows.Count; start += batch)
        {
            List<Row> part = testRows.GetRange(start, Math.Min(batch, testRows.Count - start));
            var input = NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(part.SelectMany(r => r.Features).ToArray(), [part.Count, 10]));
            using var outputs = session.Run([input]);
            actual.AddRange(outputs.First(o => o.Name == "Score.output").AsTensor<float>());
        }
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"{name} Score[{i}]: ML.NET {expected[i]}, ONNX Runtime {actual[i]}");
    }
}
