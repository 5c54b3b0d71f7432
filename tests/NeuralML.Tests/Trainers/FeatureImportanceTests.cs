using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Tests.Trainers;

/// <summary>FeedForward transformers are single-feature prediction transformers, so ML.NET's permutation feature importance works on them.</summary>
public class FeatureImportanceTests
{
    [Fact]
    public void Permutation_feature_importance_finds_the_informative_feature()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        var rows = Enumerable.Range(0, 400).Select(_ =>
        {
            float signal = random.NextSingle(), noise = random.NextSingle();
            return new Row { Features = [noise, signal], Label = 3 * signal };
        }).ToList();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { HiddenLayers = [8], Seed = 1 }).Fit(data);

        var importance = ml.Regression.PermutationFeatureImportance(model, data, permutationCount: 1);

        double noiseLoss = importance[0].RootMeanSquaredError.Mean, signalLoss = importance[1].RootMeanSquaredError.Mean;
        Assert.True(signalLoss > 10 * Math.Abs(noiseLoss) && signalLoss > 0.1, $"RMSE increase: noise {noiseLoss}, signal {signalLoss}");
    }

    private sealed class Row
    {
        [VectorType(2)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }
}
