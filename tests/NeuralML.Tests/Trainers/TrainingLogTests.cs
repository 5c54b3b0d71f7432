using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Tests.Trainers;

/// <summary>What training tells the user through MLContext.Log, and what a model says about itself.</summary>
public class TrainingLogTests
{
    [Fact]
    public void Training_progress_and_skipped_labels_reach_the_MLContext_log()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source.StartsWith("FeedForward", StringComparison.Ordinal)) lock (messages) messages.Add(e.RawMessage);
        };
        var rows = Enumerable.Range(0, 40).Select(i => new Row { Features = [i / 40f, 1 - i / 40f], Label = i % 10 == 0 ? float.NaN : i / 40f });
        ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { Epochs = 3, HiddenLayers = [4], EarlyStoppingRounds = 0 })
            .Fit(ml.Data.LoadFromEnumerable(rows));

        Assert.Contains(messages, m => m.StartsWith("FeedForward Regression: 2-4-1", StringComparison.Ordinal) && m.Contains("36 rows"));
        Assert.Contains(messages, m => m.Contains("Skipped 4 rows with a missing value in label column 'Label'"));
        Assert.Contains(messages, m => m.StartsWith("Read 36 training rows of 2 features in ", StringComparison.Ordinal) && m.EndsWith(" s.", StringComparison.Ordinal));
        Assert.Equal(3, messages.Count(m => m.StartsWith("Epoch ", StringComparison.Ordinal)));
        Assert.Contains(messages, m => m.StartsWith("Epoch 3/3: loss ", StringComparison.Ordinal));
    }

    /// <summary>With every choice left to it on a small set, the trainer says which recipes it compares, their losses and the one it chose.</summary>
    [Fact]
    public void The_recipe_choice_and_the_ensemble_reach_the_log()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source.StartsWith("FeedForward", StringComparison.Ordinal)) lock (messages) messages.Add(e.RawMessage);
        };
        var rows = Enumerable.Range(0, 60).Select(i => new Row { Features = [i / 60f, (i % 7) / 7f], Label = i / 60f + (i % 7) / 7f });
        FeedForwardModelParameters model = ml.Regression.Trainers.FeedForward().Fit(ml.Data.LoadFromEnumerable(rows)).Model;

        Assert.Contains(messages, m => m.Contains("5-fold cross-validation chooses among 3 recipes", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("cross-validation loss", StringComparison.Ordinal) && m.Contains(": chose ", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Network 15/15, epoch ", StringComparison.Ordinal));
        // Five networks folded into one: the hidden widths are five times a recipe's.
        Assert.True(model.LayerSizes[1] is 5 * 64 or 5 * 128, $"first hidden layer {model.LayerSizes[1]}");
    }

    [Fact]
    public void Early_stopping_keeps_the_best_epoch_and_says_so()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source.StartsWith("FeedForward", StringComparison.Ordinal)) lock (messages) messages.Add(e.RawMessage);
        };
        // Pure noise labels: the held-out loss stops improving quickly, so training must stop well before 200 epochs.
        var random = new Random(1);
        var rows = Enumerable.Range(0, 300).Select(_ => new Row { Features = [(float)random.NextDouble(), (float)random.NextDouble()], Label = (float)random.NextDouble() });
        var model = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { Epochs = 200, HiddenLayers = [64, 64], EarlyStoppingRounds = 5 })
            .Fit(ml.Data.LoadFromEnumerable(rows));

        Assert.True(model.Model.TrainingLosses.Count < 200);
        Assert.Contains(messages, m => m.Contains("stopped early"));
        Assert.Contains(messages, m => m.Contains("validation loss"));
    }

    [Fact]
    public void Model_describes_its_layers()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 20).Select(i => new Row { Features = [i, -i], Label = i });
        var model = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { Epochs = 1, HiddenLayers = [3], Activation = Activation.Tanh })
            .Fit(ml.Data.LoadFromEnumerable(rows)).Model;
        Assert.Equal("Sequential(Linear(2, 3), Tanh(), Linear(3, 1), Identity())", model.ToString());
        Assert.Equal([2, 3, 1], model.LayerSizes);
        Assert.Equal(2 * 3 + 3 + 3 + 1, model.ParameterCount);
        Assert.Equal(PredictionKind.Regression, model.Kind);
    }

    private sealed class Row
    {
        [VectorType(2)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }
}
