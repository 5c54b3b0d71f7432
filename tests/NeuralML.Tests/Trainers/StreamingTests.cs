using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Trainers;

/// <summary>
/// Training on views larger than the memory budget: every epoch streams the view, and the model has the quality of
/// in-memory training on the same rows; the same seed gives the same model from every kind of source.
/// </summary>
public class StreamingTests
{
    internal const int Width = 20;

    internal sealed class Row
    {
        [VectorType(Width)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
        public bool Positive { get; set; }
    }

    /// <summary>Row <paramref name="i"/> of a generated data set, made from its index alone (nothing is stored).</summary>
    internal static Row Generate(int i, int width = Width)
    {
        var features = new float[width];
        ulong state = (ulong)i * 0x9E3779B97F4A7C15UL + 12345;
        for (int j = 0; j < width; j++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            features[j] = (state >> 40) / (float)(1 << 24) * 4 - 2;
        }
        float label = MathF.Sin(features[0]) + features[1] * features[2] * 0.5f + features[3] - 0.3f * features[4] * features[4];
        return new Row { Features = features, Label = label, Positive = label > 0 };
    }

    /// <summary>A view that generates its rows as a cursor reads them, without knowing how many there are.</summary>
    internal static IDataView Generated(MLContext ml, int rows, int first = 0) => ml.Data.LoadFromEnumerable(Enumerable.Range(first, rows).Select(i => Generate(i)));

    private static FeedForwardRegressionTrainer.Options Options(int? budget) => new()
    {
        HiddenLayers = [32, 16],
        Epochs = 4,
        BatchSize = 64,
        LearningRate = 0.003f,
        Optimizer = OptimizerKind.Adam,
        Seed = 1,
        MemoryBudgetMegabytes = budget,
    };

    private static (FeedForwardPredictionTransformer Model, List<string> Log) Train(IDataView data, int? budget)
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source.StartsWith("FeedForward", StringComparison.Ordinal)) lock (log) log.Add(e.RawMessage);
        };
        return (ml.Regression.Trainers.FeedForward(Options(budget)).Fit(data), log);
    }

    private static double RSquared(FeedForwardPredictionTransformer model, IDataView test)
        => new MLContext().Regression.Evaluate(model.Transform(test)).RSquared;

    [Fact]
    public void A_view_over_the_budget_streams_with_the_quality_of_in_memory_training_and_the_same_model_for_the_same_seed()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = Generated(ml, 60_000); // 60,000 × 22 floats: about 5 MB, five times the budget
        IDataView test = Generated(ml, 5_000, first: 1_000_000);

        (FeedForwardPredictionTransformer inMemory, List<string> memoryLog) = Train(data, budget: null);
        (FeedForwardPredictionTransformer streamed, List<string> log) = Train(data, budget: 1);
        (FeedForwardPredictionTransformer again, _) = Train(data, budget: 1);

        Assert.DoesNotContain(memoryLog, line => line.StartsWith("Streaming", StringComparison.Ordinal));
        Assert.Contains(log, line => line.StartsWith("Streaming: 60,000 rows", StringComparison.Ordinal) && line.Contains("storage order"));
        Assert.Equal(streamed.Model.GetParameters(), again.Model.GetParameters());
        double memoryR2 = RSquared(inMemory, test), streamedR2 = RSquared(streamed, test);
        Assert.True(memoryR2 > 0.9, $"in memory: R² {memoryR2}");
        Assert.True(Math.Abs(streamedR2 - memoryR2) < 0.02, $"streamed R² {streamedR2}, in memory {memoryR2}");
    }

    [Theory]
    [InlineData(".idv")]
    [InlineData(".tsv")]
    public void Files_stream_the_same_model_for_the_same_seed(string extension)
    {
        var ml = new MLContext(seed: 1);
        using var file = new TempFile(extension);
        IDataView generated = Generated(ml, 40_000);
        using (FileStream stream = File.Create(file.Path))
        {
            if (extension == ".idv") ml.Data.SaveAsBinary(generated, stream);
            else ml.Data.SaveAsText(generated, stream, schema: false);
        }
        IDataView data = extension == ".idv"
            ? ml.Data.LoadFromBinary(file.Path)
            : ml.Data.LoadFromTextFile<TextRow>(file.Path, hasHeader: true);
        IDataView test = Generated(ml, 5_000, first: 1_000_000);

        (FeedForwardPredictionTransformer first, List<string> log) = Train(data, budget: 1);
        (FeedForwardPredictionTransformer second, _) = Train(data, budget: 1);

        Assert.Contains(log, line => line.StartsWith("Streaming: 40,000 rows", StringComparison.Ordinal)
            && line.Contains(extension == ".idv" ? "order the view draws from the seed" : "storage order"));
        Assert.Equal(first.Model.GetParameters(), second.Model.GetParameters());
        Assert.True(RSquared(first, test) > 0.85, $"R² {RSquared(first, test)}");
    }

    private sealed class TextRow
    {
        [LoadColumn(0, Width - 1), VectorType(Width)] public float[] Features { get; set; } = [];
        [LoadColumn(Width)] public float Label { get; set; }
    }

    [Fact]
    public void Early_stopping_holds_rows_out_of_a_stream()
    {
        var ml = new MLContext(seed: 1);
        var options = Options(budget: 1);
        options.EarlyStoppingRounds = 2;
        var log = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source.StartsWith("FeedForward", StringComparison.Ordinal)) lock (log) log.Add(e.RawMessage);
        };
        var model = ml.Regression.Trainers.FeedForward(options).Fit(Generated(ml, 30_000));
        Assert.Contains(log, line => line.StartsWith("Streaming", StringComparison.Ordinal) && line.Contains("held out for early stopping"));
        Assert.All(model.Model.TrainingHistory.Epochs, e => Assert.NotNull(e.ValidationLoss));
    }

    [Fact]
    public void Class_weights_need_the_rows_in_memory()
    {
        var ml = new MLContext(seed: 1);
        var trainer = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options
        {
            LabelColumnName = nameof(Row.Positive),
            HiddenLayers = [8],
            Epochs = 1,
            MemoryBudgetMegabytes = 1,
            ClassWeights = ClassWeights.Balanced,
        });
        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(Generated(ml, 30_000)));
        Assert.Contains("ClassWeights", error.Message);
        Assert.Contains("MemoryBudgetMegabytes", error.Message);
    }

    [Fact]
    public void A_budget_must_be_positive()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new MLContext().Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { MemoryBudgetMegabytes = 0 }));
        Assert.Equal("MemoryBudgetMegabytes", error.ParamName);
    }
}

/// <summary>
/// Streaming keeps the managed heap bounded: 100,000 rows of 100 features (40 MB as one copy) train under a 4 MB
/// budget with the live heap, measured after full collections while the view is read and after every epoch, under the
/// budget plus 12 MB (the network, ML.NET's cursors and the test's own objects).
/// </summary>
[Collection(RunsAlone.Name)]
public class StreamingMemoryTests
{
    private const int Width = 100, Rows = 100_000, BudgetMegabytes = 4, MarginMegabytes = 12;

    [Fact]
    public void Training_over_a_view_ten_times_the_budget_keeps_the_heap_under_the_budget()
    {
        var ml = new MLContext(seed: 1);
        long baseline = LiveHeap();
        long peak = 0;
        int generated = 0;
        IEnumerable<WideRow> rows = Enumerable.Range(0, Rows).Select(i =>
        {
            if (++generated % 25_000 == 0) peak = Math.Max(peak, LiveHeap() - baseline);
            StreamingTests.Row row = StreamingTests.Generate(i, Width);
            return new WideRow { Features = row.Features, Label = row.Label };
        });
        var trainer = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options
        {
            HiddenLayers = [16],
            Epochs = 2,
            BatchSize = 128,
            Seed = 1,
            MemoryBudgetMegabytes = BudgetMegabytes,
            Progress = _ =>
            {
                peak = Math.Max(peak, LiveHeap() - baseline);
                return true;
            },
        });
        var model = trainer.Fit(ml.Data.LoadFromEnumerable(rows));

        Assert.Equal(2, model.Model.TrainingHistory.Epochs.Count);
        Assert.True(generated >= 4 * Rows, $"{generated} rows generated: the survey's two passes and one per epoch");
        Assert.True(peak < (BudgetMegabytes + MarginMegabytes) << 20, $"live heap grew by {peak >> 20} MB; the data is {(long)Rows * (Width + 1) * 4 >> 20} MB");
    }

    /// <summary>The managed heap's size after a full, compacting collection (what is live).</summary>
    private static long LiveHeap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetGCMemoryInfo().HeapSizeBytes;
    }

    private sealed class WideRow
    {
        [VectorType(Width)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }
}
