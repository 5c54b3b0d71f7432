using Microsoft.ML;
using NeuralML.Tests.Support;
using Xunit.Abstractions;

namespace NeuralML.Tests.Trainers;

/// <summary>
/// Quality on real data, each on a fixed split: <c>TrainTestSplit(testFraction: 0.2, seed: S)</c> with the S named in
/// each test, features normalised in the pipeline, model seed 1.
/// </summary>
public class DataSetAccuracyTests(ITestOutputHelper output)
{
    [Fact]
    public void Iris_accuracy_is_at_least_0_95()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(RealData.Iris(ml), testFraction: 0.2, seed: 1);
        // 120 training rows: too few to hold out an early-stopping set, so train on all of them, with two hidden layers.
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Species")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.FeedForward(new FeedForwardMulticlassTrainer.Options { Seed = 1, EarlyStoppingRounds = 0, HiddenLayers = [128, 64] }));
        var metrics = ml.MulticlassClassification.Evaluate(pipeline.Fit(split.TrainSet).Transform(split.TestSet));
        output.WriteLine($"iris accuracy {metrics.MicroAccuracy:F4}");
        Assert.True(metrics.MicroAccuracy >= 0.95, $"iris accuracy {metrics.MicroAccuracy:F4}");
    }

    [Fact]
    public void Breast_cancer_auc_is_at_least_0_98()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(RealData.BreastCancer(ml), testFraction: 0.2, seed: 0);
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { Seed = 1 }));
        var metrics = ml.BinaryClassification.Evaluate(pipeline.Fit(split.TrainSet).Transform(split.TestSet));
        output.WriteLine($"breast cancer AUC {metrics.AreaUnderRocCurve:F4}, accuracy {metrics.Accuracy:F4}");
        Assert.True(metrics.AreaUnderRocCurve >= 0.98, $"breast cancer AUC {metrics.AreaUnderRocCurve:F4}");
    }

    [Fact]
    public void Diabetes_r_squared_is_at_least_0_40()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(RealData.Diabetes(ml), testFraction: 0.2, seed: 0);
        // 353 training rows of a noisy target: one small hidden layer, as the sizing rule advises under 1K rows.
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { Seed = 1, HiddenLayers = [16] }));
        var metrics = ml.Regression.Evaluate(pipeline.Fit(split.TrainSet).Transform(split.TestSet));
        output.WriteLine($"diabetes R² {metrics.RSquared:F4}");
        Assert.True(metrics.RSquared >= 0.40, $"diabetes R² {metrics.RSquared:F4}");
    }
}
