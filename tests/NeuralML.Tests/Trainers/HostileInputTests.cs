using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Trainers;

/// <summary>
/// Inputs a user would expect a clear answer to (issue 11's list): each case gets an exception of the documented type
/// whose message is true of the data, or trains sensibly and says what it did.
/// </summary>
public class HostileInputTests
{
    private sealed class WeightedTumour
    {
        [VectorType(30)] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
        public float Weight { get; set; }
    }

    [Fact]
    public void One_class_among_the_rows_with_weight_is_reported_as_such()
    {
        var ml = new MLContext(seed: 1);
        var rows = ml.Data.CreateEnumerable<WeightedTumour>(RealData.BreastCancer(ml), reuseRowObject: false, ignoreMissingColumns: true).ToList();
        int only = rows.FindIndex(r => r.Label);
        for (int i = 0; i < rows.Count; i++) rows[i].Weight = i == only ? 1f : 0f;
        var trainer = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { ExampleWeightColumnName = "Weight", HiddenLayers = [4], Epochs = 1 });

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("is true in all 1 training rows with a positive weight in weight column 'Weight'", error.Message);
        Assert.Contains($"{rows.Count - 1} of the {rows.Count} rows have weight 0", error.Message);
    }

    /// <summary>Epochs = int.MaxValue is reasonable with a stopping rule: nothing is sized by it.</summary>
    [Fact]
    public void The_largest_epoch_count_allocates_nothing_by_it()
    {
        var ml = new MLContext(seed: 1);
        int epochs = 0;
        var model = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options
        {
            HiddenLayers = [4], Epochs = int.MaxValue, Progress = _ => ++epochs < 3,
        }).Fit(RealData.Diabetes(ml));
        Assert.Equal(3, model.Model.TrainingHistory.Epochs.Count);
    }

    private sealed class WeightedWideRow
    {
        [VectorType(64)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
        public float Weight { get; set; }
    }

    /// <summary>
    /// Rows that cannot train — every weight 0, or every label missing — are refused with a message that says so and
    /// names the column, in memory and streamed alike (30,000 rows of 64 features are over a budget of 1 MB; rows
    /// without a label are skipped as they are read, so those never fill the budget and are refused in memory).
    /// </summary>
    [Theory]
    [InlineData("weight", null)]
    [InlineData("weight", 1)]
    [InlineData("label", null)]
    public void Rows_that_cannot_train_are_refused_in_memory_and_streamed(string what, int? budgetMegabytes)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 30_000).Select(i => new WeightedWideRow
        {
            Features = [.. Enumerable.Range(0, 64).Select(j => (float)((i + j) % 5))],
            Label = what == "label" ? float.NaN : i % 3,
            Weight = what == "weight" ? 0f : 1f,
        }));
        var trainer = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options
        {
            HiddenLayers = [4], Epochs = 1, ExampleWeightColumnName = "Weight", MemoryBudgetMegabytes = budgetMegabytes,
        });
        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(data));
        Assert.Contains(what == "weight" ? "Every training row has weight 0 in weight column 'Weight'" : "all 30000 rows have a missing value in label column 'Label'",
            error.Message);
    }

    /// <summary>Options are read when Fit runs, so they are checked again there, naming the option.</summary>
    [Fact]
    public void Options_changed_after_the_trainer_was_made_are_checked_at_Fit()
    {
        var ml = new MLContext(seed: 1);
        var options = new FeedForwardRegressionTrainer.Options { HiddenLayers = [4], Epochs = 1 };
        var trainer = ml.Regression.Trainers.FeedForward(options);
        options.BatchSize = 0;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(RealData.Diabetes(ml)));
        Assert.Equal("BatchSize", error.ParamName);
    }

    private sealed class TwoFeatures
    {
        [VectorType(2)] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    /// <summary>Two rows, one of each class, with early stopping asked for: no hold-out takes a class (or most of the data) away.</summary>
    [Fact]
    public void A_hold_out_never_takes_a_class_away()
    {
        var ml = new MLContext(seed: 1);
        IDataView two = ml.Data.LoadFromEnumerable(new[] { new TwoFeatures { Features = [0, 1], Label = false }, new TwoFeatures { Features = [1, 0], Label = true } });
        var model = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [4], Optimizer = OptimizerKind.Adam, LearningRate = 0.05f, Epochs = 50, EarlyStoppingRounds = 5, Seed = 1 }).Fit(two);
        Assert.All(model.Model.TrainingHistory.Epochs, e => Assert.Null(e.ValidationLoss)); // every row trained
        bool[] predicted = model.Transform(two).GetColumn<bool>("PredictedLabel").ToArray();
        Assert.Equal([false, true], predicted);
    }

    /// <summary>The warnings FeedForward writes to the context's log, as they come.</summary>
    private static List<string> Warnings(MLContext ml)
    {
        var warnings = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning && e.Source.StartsWith("FeedForward", StringComparison.Ordinal)) lock (warnings) warnings.Add(e.RawMessage);
        };
        return warnings;
    }

    /// <summary>A learning rate far too high: the run ends, and the log and the diagnosis say the model is worse than the mean.</summary>
    [Fact]
    public void A_model_worse_than_the_mean_is_flagged_in_the_log_and_the_diagnosis()
    {
        var ml = new MLContext(seed: 1);
        List<string> warnings = Warnings(ml);
        var model = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options
        {
            HiddenLayers = [16], Optimizer = OptimizerKind.Adam, LearningRate = 10f, Epochs = 20, Seed = 1,
        }).Fit(RealData.Diabetes(ml));
        Assert.Contains("worse than the mean", model.Model.TrainingDiagnosis);
        Assert.Contains(warnings, w => w.Contains("worse than the mean", StringComparison.Ordinal));
    }

    /// <summary>
    /// The same for classification: a learning rate far too high, kept constant, leaves the model worse than predicting
    /// the class frequencies (a loss in the hundreds against 0.66), and the log and the diagnosis say so.
    /// </summary>
    [Fact]
    public void A_classifier_worse_than_the_class_frequencies_is_flagged_in_the_log_and_the_diagnosis()
    {
        var ml = new MLContext(seed: 1);
        List<string> warnings = Warnings(ml);
        var model = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options
        {
            HiddenLayers = [16], Optimizer = OptimizerKind.Adam, LearningRate = 10f, LearningRateSchedule = LearningRateSchedule.Constant, Epochs = 5, Seed = 1,
        }).Fit(RealData.BreastCancer(ml));
        Assert.Contains("class frequencies", model.Model.TrainingDiagnosis);
        Assert.Contains(warnings, w => w.Contains("class frequencies", StringComparison.Ordinal));
    }

    private sealed class WideRow
    {
        [VectorType(64)] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    /// <summary>
    /// Cancellation is observed while the data is read, before any epoch, in memory and streamed (with a budget of 1 MB,
    /// 64 features a row: the in-memory read gives up after ~4,000 rows, and the streamed pass over the view is the one
    /// cancelled at row 20,000): the reader stops within a few thousand rows of the cancellation, not at the end.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData(1)]
    public void Cancellation_is_observed_while_the_data_is_read(int? budgetMegabytes)
    {
        var ml = new MLContext(seed: 1);
        using var source = new CancellationTokenSource();
        int epochs = 0, enumerated = 0, passes = 0;
        IEnumerable<WideRow> Rows()
        {
            passes++;
            for (int i = 0; i < 100_000; i++)
            {
                if (i == 20_000) source.Cancel();
                enumerated = i + 1;
                var features = new float[64];
                features[i % 64] = i % 7;
                yield return new WideRow { Features = features, Label = i % 2 == 0 };
            }
        }
        var trainer = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options
        {
            HiddenLayers = [4], Epochs = 1, CancellationToken = source.Token, Progress = _ => ++epochs > 0, MemoryBudgetMegabytes = budgetMegabytes,
        });
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(ml.Data.LoadFromEnumerable(Rows())));
        Assert.Equal(0, epochs);
        Assert.InRange(enumerated, 20_001, 30_000);
        // Streamed: the in-memory read that gave up, then the streamed pass that was cancelled.
        Assert.Equal(budgetMegabytes is null ? 1 : 2, passes);
    }
}
