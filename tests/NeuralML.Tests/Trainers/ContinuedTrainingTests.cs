using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Trainers;

/// <summary>Fit(trainData, initialModel): training continues from a trained network, with its history, and refuses one that does not fit.</summary>
public class ContinuedTrainingTests
{
    private static (MLContext Ml, IDataView Data) Diabetes()
    {
        var ml = new MLContext(seed: 1);
        return (ml, RealData.Diabetes(ml));
    }

    /// <summary>
    /// The first continued epoch starts from the trained weights: its loss is close to the last loss of the first run
    /// (a fresh optimizer's first steps may move it a little: within 20%) and far below a fresh network's first epoch.
    /// </summary>
    [Fact]
    public void Continued_training_resumes_at_the_previous_loss()
    {
        (MLContext ml, IDataView data) = Diabetes();
        var options = new FeedForwardRegressionTrainer.Options { HiddenLayers = [16], Epochs = 40, EarlyStoppingRounds = 0, Seed = 1 };
        FeedForwardModelParameters first = ml.Regression.Trainers.FeedForward(options).Fit(data).Model;
        float[] before = first.GetParameters();

        FeedForwardModelParameters continued = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { Epochs = 5, EarlyStoppingRounds = 0, Seed = 2 })
            .Fit(data, first).Model;

        IReadOnlyList<FeedForwardEpoch> epochs = continued.TrainingHistory.Epochs;
        Assert.Equal(Enumerable.Range(1, 45), epochs.Select(e => e.Epoch));
        Assert.Equal(first.TrainingHistory.Epochs, epochs.Take(40));
        double last = first.TrainingLosses[^1], resumed = epochs[40].TrainingLoss, fresh = first.TrainingLosses[0];
        Assert.True(resumed <= 1.2 * last, $"the continued run's first loss {resumed} is far above the first run's last {last}");
        Assert.True(resumed < 0.5 * fresh, $"the continued run's first loss {resumed} is like a fresh start's {fresh}");
        Assert.Equal(45, continued.TrainingHistory.KeptEpoch);
        Assert.Equal(before, first.GetParameters()); // the initial model is not changed
        Assert.Equal(first.LayerSizes, continued.LayerSizes);
    }

    [Fact]
    public void An_initial_model_that_does_not_fit_is_refused_with_the_reason()
    {
        (MLContext ml, IDataView data) = Diabetes();
        FeedForwardModelParameters regression = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { HiddenLayers = [4], Epochs = 1 }).Fit(data).Model;

        IDataView narrow = ml.Data.LoadFromEnumerable(new[] { new NarrowRow { Features = [1, 2], Label = 3 } });
        var width = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.FeedForward().Fit(narrow, regression));
        Assert.Contains("Feature column 'Features' has 2 values; the initial model reads 10", width.Message);

        var layers = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { HiddenLayers = [8] }).Fit(data, regression));
        Assert.Contains("[4]", layers.Message);

        var ensemble = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { EnsembleSize = 3 }).Fit(data, regression));
        Assert.Contains("EnsembleSize is 3", ensemble.Message);

        var normalised = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { BatchNormalization = true }).Fit(data, regression));
        Assert.Contains("BatchNormalization", normalised.Message);

        IDataView cancer = RealData.BreastCancer(ml);
        FeedForwardModelParameters binary = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [4], Epochs = 1 }).Fit(cancer).Model;
        var task = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.FeedForward().Fit(data, binary));
        Assert.Contains("BinaryClassification", task.Message);
    }

    private sealed class NarrowRow
    {
        [VectorType(2)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }
}
