using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Trainers;

/// <summary>The three trainers inside ordinary ML.NET pipelines: Evaluate, CrossValidate and PredictionEngine.</summary>
public class PipelineTests
{
    // Small layers keep the 5-fold cross-validations quick; epochs are left automatic.
    private static FeedForwardBinaryTrainer.Options BinaryOptions() => new() { HiddenLayers = [16], Seed = 1 };
    private static FeedForwardMulticlassTrainer.Options MulticlassOptions() => new() { HiddenLayers = [16], Seed = 1 };
    private static FeedForwardRegressionTrainer.Options RegressionOptions() => new() { HiddenLayers = [16], Seed = 1 };

    [Fact]
    public void Binary_pipeline_evaluates_cross_validates_and_predicts_like_transform()
    {
        var ml = new MLContext(seed: 3);
        IDataView data = RealData.BreastCancer(ml);
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features").Append(ml.BinaryClassification.Trainers.FeedForward(BinaryOptions()));
        var split = ml.Data.TrainTestSplit(data, 0.2, seed: 3);
        var model = pipeline.Fit(split.TrainSet);
        IDataView scored = model.Transform(split.TestSet);

        var metrics = ml.BinaryClassification.Evaluate(scored);
        Assert.InRange(metrics.AreaUnderRocCurve, 0.95, 1.0);
        var folds = ml.BinaryClassification.CrossValidate(data, pipeline, numberOfFolds: 5);
        Assert.Equal(5, folds.Count);
        Assert.All(folds, f => Assert.InRange(f.Metrics.AreaUnderRocCurve, 0.9, 1.0));

        var engine = ml.Model.CreatePredictionEngine<TumourRow, BinaryPrediction>(model);
        var expected = ml.Data.CreateEnumerable<BinaryPrediction>(scored, reuseRowObject: false).ToList();
        var inputs = ml.Data.CreateEnumerable<TumourRow>(split.TestSet, reuseRowObject: false).ToList();
        Assert.Equal(inputs.Count, expected.Count);
        for (int i = 0; i < inputs.Count; i++)
        {
            BinaryPrediction p = engine.Predict(inputs[i]);
            Assert.Equal(expected[i].Score, p.Score);
            Assert.Equal(expected[i].Probability, p.Probability);
            Assert.Equal(expected[i].PredictedLabel, p.PredictedLabel);
            Assert.Equal(p.Score > 0, p.PredictedLabel);
            Assert.Equal(1 / (1 + Math.Exp(-p.Score)), p.Probability, 1e-6);
        }
    }

    [Fact]
    public void Multiclass_pipeline_evaluates_cross_validates_and_predicts_like_transform()
    {
        var ml = new MLContext(seed: 3);
        IDataView data = RealData.Iris(ml);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Species")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.FeedForward(MulticlassOptions()))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedSpecies", "PredictedLabel"));
        var split = ml.Data.TrainTestSplit(data, 0.2, seed: 3);
        var model = pipeline.Fit(split.TrainSet);
        IDataView scored = model.Transform(split.TestSet);

        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.InRange(metrics.MicroAccuracy, 0.8, 1.0);
        var folds = ml.MulticlassClassification.CrossValidate(data, pipeline, numberOfFolds: 5);
        Assert.Equal(5, folds.Count);
        Assert.All(folds, f => Assert.InRange(f.Metrics.MicroAccuracy, 0.7, 1.0));

        // Score slot names and PredictedLabel key values carry the species names.
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        scored.Schema["Score"].GetSlotNames(ref slotNames);
        Assert.Equal(["setosa", "versicolor", "virginica"], slotNames.DenseValues().Select(s => s.ToString()).Order());

        var engine = ml.Model.CreatePredictionEngine<IrisRow, IrisPrediction>(model);
        var expected = ml.Data.CreateEnumerable<IrisPrediction>(scored, reuseRowObject: false).ToList();
        var inputs = ml.Data.CreateEnumerable<IrisRow>(split.TestSet, reuseRowObject: false).ToList();
        for (int i = 0; i < inputs.Count; i++)
        {
            IrisPrediction p = engine.Predict(inputs[i]);
            Assert.Equal(expected[i].Score, p.Score);
            Assert.Equal(expected[i].PredictedSpecies, p.PredictedSpecies);
            Assert.Equal(1.0, p.Score.Sum(), 1e-5);
            string[] names = slotNames.DenseValues().Select(s => s.ToString()).ToArray();
            Assert.Equal(names[Array.IndexOf(p.Score, p.Score.Max())], p.PredictedSpecies);
        }
    }

    [Fact]
    public void Regression_pipeline_evaluates_cross_validates_and_predicts_like_transform()
    {
        var ml = new MLContext(seed: 3);
        IDataView data = RealData.Diabetes(ml);
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features").Append(ml.Regression.Trainers.FeedForward(RegressionOptions()));
        var split = ml.Data.TrainTestSplit(data, 0.2, seed: 3);
        var model = pipeline.Fit(split.TrainSet);
        IDataView scored = model.Transform(split.TestSet);

        var metrics = ml.Regression.Evaluate(scored);
        Assert.InRange(metrics.RSquared, 0.2, 1.0);
        var folds = ml.Regression.CrossValidate(data, pipeline, numberOfFolds: 5);
        Assert.Equal(5, folds.Count);
        Assert.All(folds, f => Assert.InRange(f.Metrics.RSquared, 0.0, 1.0));

        var engine = ml.Model.CreatePredictionEngine<DiabetesRow, RegressionPrediction>(model);
        var expected = ml.Data.CreateEnumerable<RegressionPrediction>(scored, reuseRowObject: false).ToList();
        var inputs = ml.Data.CreateEnumerable<DiabetesRow>(split.TestSet, reuseRowObject: false).ToList();
        for (int i = 0; i < inputs.Count; i++)
            Assert.Equal(expected[i].Score, engine.Predict(inputs[i]).Score);
    }

    public sealed class TumourRow
    {
        [VectorType(30)] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    public sealed class BinaryPrediction
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    public sealed class IrisRow
    {
        [VectorType(4)] public float[] Features { get; set; } = [];
        public string Species { get; set; } = "";
    }

    public sealed class IrisPrediction
    {
        public float[] Score { get; set; } = [];
        public string PredictedSpecies { get; set; } = "";
    }

    public sealed class DiabetesRow
    {
        [VectorType(10)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    public sealed class RegressionPrediction
    {
        public float Score { get; set; }
    }
}
