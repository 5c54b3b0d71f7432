using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// Streaming training against in-memory training on the same rows: the same model bit for bit when the shuffle buffer
/// holds every row and no row is held out (the buffer is then shuffled with the same draws as the in-memory order);
/// otherwise the same seed gives the same model, of the same quality.
/// </summary>
public class StreamedTrainingTests
{
    /// <summary>Rows in arrays, read in storage order, or in a seeded permutation when a pass asks for one.</summary>
    private sealed class ArrayRowStream(float[] features, float[] targets, float[]? weights, int featureCount) : IRowStream
    {
        private float[] Features => features;
        private float[] Targets => targets;
        private float[]? Weights => weights;
        public int FeatureCount => featureCount;
        public int TargetWidth => 1;
        public bool HasWeights => weights is not null;
        public int Passes { get; private set; }
        public List<int?> Seeds { get; } = [];

        public IRowStreamPass Open(int? shuffleSeed)
        {
            Passes++;
            Seeds.Add(shuffleSeed);
            int[] order = Enumerable.Range(0, Targets.Length).ToArray();
            if (shuffleSeed is int seed) new Random(seed).Shuffle(order);
            return new Pass(this, order);
        }

        private sealed class Pass(ArrayRowStream stream, int[] order) : IRowStreamPass
        {
            private int _next;

            public int Read(Span<float> f, Span<float> t, Span<float> w, Span<ulong> ids)
            {
                int width = stream.FeatureCount, read = 0;
                for (; read < ids.Length && _next < order.Length; read++, _next++)
                {
                    int row = order[_next];
                    stream.Features.AsSpan(row * width, width).CopyTo(f.Slice(read * width, width));
                    t[read] = stream.Targets[row];
                    if (stream.Weights is { } weights) w[read] = weights[row];
                    ids[read] = (ulong)row;
                }
                return read;
            }

            public void Dispose() { }
        }
    }

    private static (float[] Features, float[] Targets, float[] Weights) Regression(int rows, int width, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows * width];
        var y = new float[rows];
        var w = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < width; j++) x[r * width + j] = random.NextSingle() * 4 - 2 + j;
            y[r] = MathF.Sin(x[r * width]) + x[r * width + 1] * x[r * width + 2] * 0.3f + 10;
            w[r] = 0.5f + random.Next(3);
        }
        return (x, y, w);
    }

    private static TrainingSettings Settings(OptimizerKind optimizer = OptimizerKind.Adam, int? earlyStopping = 0) => new()
    {
        Loss = LossKind.SquaredError,
        HiddenLayers = [16, 8],
        Optimizer = optimizer,
        LearningRate = 0.01f,
        Epochs = 6,
        BatchSize = 32,
        EarlyStoppingRounds = earlyStopping,
        Seed = 7,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_buffer_that_holds_every_row_gives_the_in_memory_model_bit_for_bit(bool weighted)
    {
        (float[] x, float[] y, float[] w) = Regression(1000, 5, 1);
        float[]? weights = weighted ? w : null;
        TrainingResult inMemory = new NetworkTrainer(Settings()).Train(new InMemoryTrainingSet(x, y, weights, 5), outputs: 1);
        var stream = new ArrayRowStream(x, y, weights, 5);
        TrainingResult streamed = new NetworkTrainer(Settings()).Train(stream, outputs: 1, windowRows: 1024, heldOutCapacity: 0);

        Assert.Equal(inMemory.Network.Parameters, streamed.Network.Parameters);
        Assert.Equal(inMemory.History.Select(h => h.Loss), streamed.History.Select(h => h.Loss));
        // Survey (two passes: sums, then squared deviations) and one pass per epoch, all in storage order.
        Assert.Equal(2 + 6, stream.Passes);
        Assert.All(stream.Seeds, s => Assert.Null(s));
    }

    [Fact]
    public void A_small_buffer_gives_the_same_model_for_the_same_seed_and_the_same_quality()
    {
        (float[] x, float[] y, _) = Regression(6000, 5, 2);
        (float[] testX, float[] testY, _) = Regression(2000, 5, 3);
        TrainingResult inMemory = new NetworkTrainer(Settings()).Train(new InMemoryTrainingSet(x, y, null, 5), outputs: 1);
        var stream = new ArrayRowStream(x, y, null, 5);
        TrainingResult first = new NetworkTrainer(Settings()).Train(stream, outputs: 1, windowRows: 640, heldOutCapacity: 0);
        TrainingResult second = new NetworkTrainer(Settings()).Train(new ArrayRowStream(x, y, null, 5), outputs: 1, windowRows: 640, heldOutCapacity: 0);

        Assert.Equal(first.Network.Parameters, second.Network.Parameters);
        // Every epoch asks the source for its own order: the rows do not fit the buffer.
        Assert.Equal(6, stream.Seeds.Count(s => s is not null));
        Assert.Equal(6, stream.Seeds.Where(s => s is not null).Distinct().Count());
        double memoryError = MeanSquaredError(inMemory, testX, testY), streamedError = MeanSquaredError(first, testX, testY);
        double variance = testY.Select(v => (double)v).Average(v => (v - testY.Average()) * (v - testY.Average()));
        Assert.True(memoryError < 0.1 * variance, $"in memory: MSE {memoryError} against variance {variance}");
        Assert.True(Math.Abs(streamedError - memoryError) < 0.05 * variance, $"streamed MSE {streamedError}, in memory {memoryError}, variance {variance}");
    }

    [Fact]
    public void Early_stopping_holds_out_rows_by_their_identity_and_never_trains_on_them()
    {
        (float[] x, float[] y, _) = Regression(5000, 5, 4);
        var settings = Settings(earlyStopping: 2) with { ValidationFraction = 0.2f };
        StreamSurvey survey = StreamSurvey.Run(new ArrayRowStream(x, y, null, 5), settings, 0.2, heldOutCapacity: 600, sampleCapacity: 100, default);
        Assert.Equal(600, survey.HeldOutIds.Count); // the capacity, below 20% of 5,000
        Assert.Equal(5000 - 600, survey.TrainingRows);
        Assert.Equal(600, survey.HeldOut!.RowCount);
        StreamSurvey again = StreamSurvey.Run(new ArrayRowStream(x, y, null, 5), settings, 0.2, heldOutCapacity: 10_000, sampleCapacity: 100, default);
        Assert.InRange(again.HeldOutIds.Count, 900, 1100);

        TrainingResult result = new NetworkTrainer(settings).Train(new ArrayRowStream(x, y, null, 5), outputs: 1, windowRows: 640, heldOutCapacity: 600);
        Assert.All(result.History, h => Assert.NotNull(h.ValidationLoss));
    }

    /// <summary>Validation rows given in sparse form watch streamed (dense) rows as their dense form does: the same model and losses.</summary>
    [Fact]
    public void Sparse_validation_rows_watch_a_stream_as_dense_ones_do()
    {
        (float[] x, float[] y, _) = Regression(3000, 5, 6);
        (float[] vx, float[] vy, _) = Regression(300, 5, 7);
        var values = new List<float>();
        var indices = new List<int>();
        var offsets = new List<int> { 0 };
        for (int r = 0; r < vy.Length; r++)
        {
            for (int j = 0; j < 5; j++)
            {
                if (vx[r * 5 + j] == 0f) continue;
                values.Add(vx[r * 5 + j]);
                indices.Add(j);
            }
            offsets.Add(values.Count);
        }
        var sparse = new InMemoryTrainingSet(new SparseFeatures(values.ToArray(), indices.ToArray(), offsets.ToArray(), 5), vy, null);
        var settings = Settings(earlyStopping: 2);
        TrainingResult dense = new NetworkTrainer(settings).Train(new ArrayRowStream(x, y, null, 5), outputs: 1, windowRows: 640, heldOutCapacity: 0,
            validation: new InMemoryTrainingSet(vx, vy, null, 5));
        TrainingResult fromSparse = new NetworkTrainer(settings).Train(new ArrayRowStream(x, y, null, 5), outputs: 1, windowRows: 640, heldOutCapacity: 0,
            validation: sparse);

        Assert.Equal(dense.History.Select(h => h.ValidationLoss), fromSparse.History.Select(h => h.ValidationLoss));
        Assert.Equal(dense.Network.Parameters, fromSparse.Network.Parameters);
    }

    [Fact]
    public void Lbfgs_cannot_stream()
    {
        (float[] x, float[] y, _) = Regression(100, 5, 5);
        var error = Assert.Throws<InvalidOperationException>(() =>
            new NetworkTrainer(Settings(OptimizerKind.Lbfgs)).Train(new ArrayRowStream(x, y, null, 5), outputs: 1, windowRows: 64, heldOutCapacity: 0));
        Assert.Contains("L-BFGS", error.Message);
    }

    private static double MeanSquaredError(TrainingResult result, float[] x, float[] y)
    {
        var scorer = new NeuralML.Network.NetworkScorer(result.Network, NeuralML.Network.OutputHead.Identity, NeuralML.Kernels.DenseKernels.Default, y.Length);
        var logits = new float[y.Length];
        var outputs = new float[y.Length];
        scorer.Score(x, y.Length, logits, outputs);
        return outputs.Zip(y, (p, t) => (double)(p - t) * (p - t)).Average();
    }
}
