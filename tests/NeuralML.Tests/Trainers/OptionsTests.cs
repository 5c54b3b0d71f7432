using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Tests.Trainers;

/// <summary>Options out of range are refused with the option's name, when the trainer is created and again at Fit.</summary>
public class OptionsTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void Invalid_options_are_rejected_when_the_trainer_is_created()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { LearningRate = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { HiddenLayers = [8, 0] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { DropoutRate = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { BatchSize = 0 }));
    }

    [Fact]
    public void Options_changed_after_the_trainer_was_created_are_checked_at_Fit()
    {
        var options = new FeedForwardRegressionTrainer.Options { HiddenLayers = [2], Epochs = 1 };
        var trainer = _ml.Regression.Trainers.FeedForward(options);
        options.BatchSize = 0;
        var data = _ml.Data.LoadFromEnumerable(new[] { new Row { Features = [1, 2], Label = 1 }, new Row { Features = [2, 1], Label = 0 } });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        Assert.Equal("BatchSize", ex.ParamName);
    }

    private sealed class Row
    {
        [VectorType(2)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }
}
