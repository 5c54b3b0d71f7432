using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Trainers;

/// <summary>
/// What a user sees of a training run: the history on the model (and through Save/Load), its validation metric against
/// ML.NET's evaluators, the Progress callback and cancellation token, the summary, and the diagnosis.
/// </summary>
public class TrainingHistoryTests
{
    private static (MLContext Ml, IDataView Train, IDataView Valid) CancerSplit()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Transforms.NormalizeMeanVariance("Features").Fit(RealData.BreastCancer(ml)).Transform(RealData.BreastCancer(ml));
        var split = ml.Data.TrainTestSplit(data, 0.25, seed: 1);
        return (ml, split.TrainSet, split.TestSet);
    }

    [Fact]
    public void The_history_records_every_epoch_and_survives_save_and_load()
    {
        (MLContext ml, IDataView train, _) = CancerSplit();
        var model = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options
        {
            HiddenLayers = [16], Epochs = 9, Seed = 1, LearningRate = 1e-3f, LearningRateSchedule = LearningRateSchedule.StepDecay, LearningRateDecayEpochs = 3, EarlyStoppingRounds = 20,
        }).Fit(train);
        FeedForwardTrainingHistory history = model.Model.TrainingHistory;

        Assert.Equal(Enumerable.Range(1, 9), history.Epochs.Select(e => e.Epoch));
        Assert.Equal(model.Model.TrainingLosses, history.Epochs.Select(e => e.TrainingLoss));
        // Step decay by 0.1 every 3 epochs from 0.001.
        Assert.Equal([1e-3f, 1e-3f, 1e-3f, 1e-4f, 1e-4f, 1e-4f, 1e-5f, 1e-5f, 1e-5f], history.Epochs.Select(e => e.LearningRate!.Value), new RelativeTolerance(1e-6f));
        Assert.All(history.Epochs, e =>
        {
            Assert.NotNull(e.ValidationLoss);
            Assert.InRange(e.ValidationMetric!.Value, 0.5, 1.0);
            Assert.True(e.Elapsed > TimeSpan.Zero);
        });
        Assert.InRange(history.KeptEpoch, 1, 9);
        Assert.Equal("AUC", history.ValidationMetricName);
        Assert.False(string.IsNullOrWhiteSpace(history.Diagnosis));
        Assert.Contains("(kept)", history.ToString());

        using var file = new TempFile(".zip");
        ml.Model.Save(model, train.Schema, file.Path);
        var loaded = (FeedForwardPredictionTransformer)ml.Model.Load(file.Path, out _);
        Assert.Equal(history.Epochs, loaded.Model.TrainingHistory.Epochs);
        Assert.Equal(history.KeptEpoch, loaded.Model.TrainingHistory.KeptEpoch);
        Assert.Equal(history.Diagnosis, loaded.Model.TrainingDiagnosis);
    }

    /// <summary>
    /// With validation data and no early stopping, the last epoch's metric is the final model's, which ML.NET's own
    /// evaluators compute independently: AUC from the probabilities (the same ranking as the logits), accuracy, R².
    /// Tolerance 1e-6: both count the same rows; only the summation orders differ.
    /// </summary>
    [Fact]
    public void The_validation_metric_is_what_MLNet_evaluators_say()
    {
        (MLContext ml, IDataView train, IDataView valid) = CancerSplit();
        var binary = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [8], Epochs = 5, Seed = 1, EarlyStoppingRounds = 0 })
            .Fit(train, valid);
        Assert.Equal(ml.BinaryClassification.Evaluate(binary.Transform(valid)).AreaUnderRocCurve, binary.Model.TrainingHistory.Epochs[^1].ValidationMetric!.Value, 1e-6);

        IDataView diabetes = RealData.Diabetes(ml);
        var parts = ml.Data.TrainTestSplit(diabetes, 0.3, seed: 2);
        var regression = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { HiddenLayers = [8], Epochs = 20, Seed = 1, EarlyStoppingRounds = 0 })
            .Fit(parts.TrainSet, parts.TestSet);
        Assert.Equal(ml.Regression.Evaluate(regression.Transform(parts.TestSet)).RSquared, regression.Model.TrainingHistory.Epochs[^1].ValidationMetric!.Value, 1e-5);

        var iris = ml.Transforms.Conversion.MapValueToKey("Label", "Species").Fit(RealData.Iris(ml)).Transform(RealData.Iris(ml));
        var irisParts = ml.Data.TrainTestSplit(iris, 0.3, seed: 3);
        var multiclass = ml.MulticlassClassification.Trainers.FeedForward(new FeedForwardMulticlassTrainer.Options { HiddenLayers = [8], Epochs = 20, Seed = 1, EarlyStoppingRounds = 0 })
            .Fit(irisParts.TrainSet, irisParts.TestSet);
        Assert.Equal(ml.MulticlassClassification.Evaluate(multiclass.Transform(irisParts.TestSet)).MicroAccuracy,
            multiclass.Model.TrainingHistory.Epochs[^1].ValidationMetric!.Value, 1e-9);
    }

    [Fact]
    public void Progress_sees_every_epoch_and_can_stop_training()
    {
        (MLContext ml, IDataView train, _) = CancerSplit();
        var seen = new List<FeedForwardEpoch>();
        var model = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options
        {
            HiddenLayers = [8], Epochs = 50, Seed = 1, EarlyStoppingRounds = 0,
            Progress = epoch => { seen.Add(epoch); return epoch.Epoch < 3; },
        }).Fit(train);
        Assert.Equal([1, 2, 3], seen.Select(e => e.Epoch));
        Assert.Equal(seen, model.Model.TrainingHistory.Epochs);
        Assert.Equal(3, model.Model.TrainingHistory.KeptEpoch);
    }

    [Fact]
    public void The_cancellation_token_stops_training_before_the_next_batch()
    {
        (MLContext ml, IDataView train, _) = CancerSplit();
        using var source = new CancellationTokenSource();
        int epochs = 0;
        var trainer = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options
        {
            HiddenLayers = [8], Epochs = 50, Seed = 1, CancellationToken = source.Token,
            Progress = epoch =>
            {
                epochs++;
                if (epoch.Epoch == 2) source.Cancel();
                return true;
            },
        });
        Assert.Throws<OperationCanceledException>(() => trainer.Fit(train));
        Assert.Equal(2, epochs);
    }

    [Fact]
    public void The_summary_lists_each_layer_with_its_shape_activation_and_parameters()
    {
        (MLContext ml, IDataView train, _) = CancerSplit();
        FeedForwardModelParameters model = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options
        {
            HiddenLayers = [16, 8], Activation = Activation.PRelu, Epochs = 1, Seed = 1,
        }).Fit(train).Model;
        string[] lines = model.Summary().Split(Environment.NewLine);
        Assert.Contains("30 inputs", lines[0]);
        // PReLU layers carry a slope per unit: 30·16 + 16 + 16 and 16·8 + 8 + 8; the output layer 8·1 + 1.
        Assert.Matches(@"^dense_0 \(Dense\)\s+\(N, 16\)\s+PRelu\s+512$", lines[2]);
        Assert.Matches(@"^dense_1 \(Dense\)\s+\(N, 8\)\s+PRelu\s+144$", lines[3]);
        Assert.Matches(@"^dense_2 \(Dense\)\s+\(N, 1\)\s+Identity\s+9$", lines[4]);
        Assert.Matches(@"^output \(Sigmoid\)", lines[5]);
        Assert.Equal($"Total parameters: {model.ParameterCount:N0}", lines[^1]);
        Assert.Equal(512 + 144 + 9, model.ParameterCount);
    }

    /// <summary>Two rings, one inside the other: no single unit separates them, so a 1-unit network's loss stays high and flat.</summary>
    [Fact]
    public void A_one_unit_network_on_a_non_linear_problem_is_diagnosed_as_underfitting()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(2);
        var rows = Enumerable.Range(0, 400).Select(i =>
        {
            double angle = random.NextDouble() * 2 * Math.PI, radius = i % 2 == 0 ? 1 + 0.1 * random.NextDouble() : 2 + 0.1 * random.NextDouble();
            return new Point { Features = [(float)(radius * Math.Cos(angle)), (float)(radius * Math.Sin(angle))], Label = i % 2 == 0 };
        }).ToList();
        var model = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [1], Epochs = 60, Seed = 1, EarlyStoppingRounds = 0 })
            .Fit(ml.Data.LoadFromEnumerable(rows));
        Assert.Contains("underfits", model.Model.TrainingDiagnosis);
    }

    /// <summary>Forty rows of pure noise and a large network: it memorises them, so the validation loss climbs as the training loss falls.</summary>
    [Fact]
    public void A_large_network_on_a_few_noisy_rows_is_diagnosed_as_overfitting()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        IDataView Noise(int count) => ml.Data.LoadFromEnumerable(Enumerable.Range(0, count)
            .Select(_ => new Point { Features = [random.NextSingle(), random.NextSingle()], Label = random.Next(2) == 1 }).ToList());
        var model = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [256, 256], Epochs = 300, Seed = 1, EarlyStoppingRounds = 0, LearningRate = 0.01f })
            .Fit(Noise(40), Noise(200));
        Assert.Contains("overfits", model.Model.TrainingDiagnosis);
    }

    private sealed class Point
    {
        [VectorType(2)] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    private sealed class RelativeTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance * Math.Max(Math.Abs(x), Math.Abs(y));

        public int GetHashCode(float value) => 0;
    }
}
