using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Trainers;

/// <summary>Fit(train, validation): ML.NET's idiom for watching separate rows for overfitting.</summary>
public class ValidationDataTests
{
    private static (MLContext Ml, IDataView Train, IDataView Valid, List<string> Log) Setup()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source.StartsWith("FeedForward", StringComparison.Ordinal)) lock (log) log.Add(e.RawMessage);
        };
        IDataView data = ml.Transforms.NormalizeMeanVariance("Features").Fit(RealData.BreastCancer(ml)).Transform(RealData.BreastCancer(ml));
        var split = ml.Data.TrainTestSplit(data, 0.25, seed: 1);
        return (ml, split.TrainSet, split.TestSet, log);
    }

    [Fact]
    public void Validation_rows_replace_the_held_out_fraction_and_are_logged()
    {
        var (ml, train, valid, log) = Setup();
        var trainer = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [16], Epochs = 300, Seed = 2 });
        var model = trainer.Fit(train, valid);

        long validRows = ml.Data.CreateEnumerable<LabelOnly>(valid, reuseRowObject: false).LongCount();
        Assert.Contains(log, m => m == $"Validation data: {validRows} rows; no training rows are held out.");
        Assert.Contains(log, m => m.Contains("validation loss", StringComparison.Ordinal));
        Assert.Contains(log, m => m.Contains("the best on the validation data", StringComparison.Ordinal));
        Assert.True(model.Model.TrainingLosses.Count < 300, "early stopping on the validation data should end training before 300 epochs");
        Assert.Equal(model.Model.GetParameters(), trainer.Fit(train, valid).Model.GetParameters());
    }

    [Fact]
    public void Validation_data_with_another_feature_width_names_the_column()
    {
        var (ml, train, _, _) = Setup();
        IDataView narrow = ml.Data.LoadFromEnumerable([new NarrowRow { Features = [1, 2], Label = true }]);
        var trainer = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [4], Epochs = 1 });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(train, narrow));
        Assert.Contains("'Features'", ex.Message);
    }

    private sealed class LabelOnly
    {
        public bool Label { get; set; }
    }

    private sealed class NarrowRow
    {
        [VectorType(2)] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }
}
