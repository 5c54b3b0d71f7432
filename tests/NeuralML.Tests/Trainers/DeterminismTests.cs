using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Trainers;

/// <summary>Same data, options and seed: the same model, bit for bit.</summary>
public class DeterminismTests
{
    private static float[] TrainBinary(MLContext ml, FeedForwardBinaryTrainer.Options options)
    {
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features").Append(ml.BinaryClassification.Trainers.FeedForward(options));
        return pipeline.Fit(RealData.BreastCancer(ml)).LastTransformer.Model.GetParameters();
    }

    private static FeedForwardBinaryTrainer.Options Options(int? seed) => new() { Seed = seed, Epochs = 5, HiddenLayers = [32, 16], DropoutRate = 0.2f };

    [Fact]
    public void Same_options_and_seed_give_bit_identical_weights()
    {
        float[] first = TrainBinary(new MLContext(), Options(seed: 7));
        float[] second = TrainBinary(new MLContext(), Options(seed: 7));
        Assert.Equal(first, second);
    }

    [Fact]
    public void Without_an_explicit_seed_the_MLContext_seed_decides()
    {
        Assert.Equal(TrainBinary(new MLContext(seed: 5), Options(null)), TrainBinary(new MLContext(seed: 5), Options(null)));
        Assert.NotEqual(TrainBinary(new MLContext(seed: 5), Options(null)), TrainBinary(new MLContext(seed: 6), Options(null)));
    }

    [Fact]
    public void Training_is_bit_identical_at_1_2_and_4_threads()
    {
        // Wide layers and batch 64 give products big enough to be split across threads.
        FeedForwardBinaryTrainer.Options Threads(int n) => new() { Seed = 3, Epochs = 2, HiddenLayers = [256, 128], BatchSize = 64, NumberOfThreads = n };
        float[] one = TrainBinary(new MLContext(), Threads(1));
        Assert.Equal(one, TrainBinary(new MLContext(), Threads(2)));
        Assert.Equal(one, TrainBinary(new MLContext(), Threads(4)));
    }

    /// <summary>
    /// The defaults on a small set: cross-validation over the recipes and an ensemble of five, their networks trained
    /// side by side on up to the given threads. Each network has its own generator and its share of the threads,
    /// so the model is the same at any count.
    /// </summary>
    [Fact]
    public void The_default_cross_validated_ensemble_is_bit_identical_at_1_2_and_4_threads()
    {
        FeedForwardBinaryTrainer.Options Threads(int n) => new() { Seed = 3, NumberOfThreads = n };
        float[] one = TrainBinary(new MLContext(), Threads(1));
        Assert.Equal(one, TrainBinary(new MLContext(), Threads(2)));
        Assert.Equal(one, TrainBinary(new MLContext(), Threads(4)));
    }

    [Fact]
    public void Different_seeds_give_different_weights()
        => Assert.NotEqual(TrainBinary(new MLContext(), Options(seed: 1)), TrainBinary(new MLContext(), Options(seed: 2)));

    [Fact]
    public void Fitting_the_same_estimator_twice_gives_the_same_model()
    {
        var ml = new MLContext(seed: 9);
        var trainer = ml.BinaryClassification.Trainers.FeedForward(Options(null));
        var data = ml.Transforms.NormalizeMeanVariance("Features").Fit(RealData.BreastCancer(ml)).Transform(RealData.BreastCancer(ml));
        Assert.Equal(trainer.Fit(data).Model.GetParameters(), trainer.Fit(data).Model.GetParameters());
    }

    [Fact]
    public void Sparse_and_dense_features_give_the_same_model()
    {
        var ml = new MLContext();
        var random = new Random(3);
        var dense = new List<DenseRow>();
        var sparse = new List<SparseRow>();
        for (int i = 0; i < 200; i++)
        {
            var values = new float[6];
            values[random.Next(6)] = (float)random.NextDouble();
            values[random.Next(6)] = (float)random.NextDouble();
            float label = values[0] * 2 - values[3];
            dense.Add(new DenseRow { Features = values, Label = label });
            int[] indices = Enumerable.Range(0, 6).Where(j => values[j] != 0).ToArray();
            sparse.Add(new SparseRow { Features = new VBuffer<float>(6, indices.Length, indices.Select(j => values[j]).ToArray(), indices), Label = label });
        }
        var options = new FeedForwardRegressionTrainer.Options { Seed = 4, Epochs = 3, HiddenLayers = [8] };
        float[] fromDense = ml.Regression.Trainers.FeedForward(options).Fit(ml.Data.LoadFromEnumerable(dense)).Model.GetParameters();
        float[] fromSparse = ml.Regression.Trainers.FeedForward(options).Fit(ml.Data.LoadFromEnumerable(sparse)).Model.GetParameters();
        Assert.Equal(fromDense, fromSparse);
    }

    [Fact]
    public void Example_weights_are_read_and_uniform_weights_of_two_equal_no_weights()
    {
        // Scaling every weight by 2 changes no normalised gradient (powers of two are exact), so the model must be
        // bit-identical to the unweighted one; a weight column that was ignored or misread would break this or the next check.
        var ml = new MLContext();
        var random = new Random(5);
        var rows = Enumerable.Range(0, 120).Select(_ =>
        {
            float a = (float)random.NextDouble(), b = (float)random.NextDouble();
            return new WeightedRow { Features = [a, b], Label = 3 * a - b, Weight = 2f, Skewed = a > 0.5f ? 10f : 0.1f };
        }).ToList();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        FeedForwardRegressionTrainer.Options Options(string? weight) => new() { Seed = 2, Epochs = 4, HiddenLayers = [8], ExampleWeightColumnName = weight };
        float[] unweighted = ml.Regression.Trainers.FeedForward(Options(null)).Fit(data).Model.GetParameters();
        float[] doubled = ml.Regression.Trainers.FeedForward(Options("Weight")).Fit(data).Model.GetParameters();
        float[] skewed = ml.Regression.Trainers.FeedForward(Options("Skewed")).Fit(data).Model.GetParameters();
        Assert.Equal(unweighted, doubled);
        Assert.NotEqual(unweighted, skewed);
    }

    private sealed class WeightedRow
    {
        [VectorType(2)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
        public float Weight { get; set; }
        public float Skewed { get; set; }
    }

    private sealed class DenseRow
    {
        [VectorType(6)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class SparseRow
    {
        [VectorType(6)] public VBuffer<float> Features { get; set; }
        public float Label { get; set; }
    }
}
