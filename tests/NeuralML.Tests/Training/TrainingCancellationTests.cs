using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// <see cref="TrainingCancellation"/>: the default never cancels, a cancelled token or a poll that says so throws
/// <see cref="OperationCanceledException"/>, and <see cref="NetworkTrainer.Train"/> checks before every batch, so it
/// stops at the first poll that says so, without running another batch.
/// </summary>
public class TrainingCancellationTests
{
    [Fact]
    public void DefaultNeverThrows()
    {
        default(TrainingCancellation).ThrowIfRequested();
        TrainingCancellation.None.ThrowIfRequested();
        new TrainingCancellation(CancellationToken.None).ThrowIfRequested();
        new TrainingCancellation(CancellationToken.None, () => false).ThrowIfRequested();
    }

    [Fact]
    public void CancelledTokenThrows()
    {
        using var source = new CancellationTokenSource();
        var cancellation = new TrainingCancellation(source.Token, () => false);
        cancellation.ThrowIfRequested();

        source.Cancel();

        Assert.Throws<OperationCanceledException>(cancellation.ThrowIfRequested);
    }

    [Fact]
    public void PollThatSaysCancelledThrows()
    {
        bool cancelled = false;
        var cancellation = new TrainingCancellation(CancellationToken.None, () => cancelled);
        cancellation.ThrowIfRequested();

        cancelled = true;

        Assert.Throws<OperationCanceledException>(cancellation.ThrowIfRequested);
    }

    /// <summary>A training set that writes "load" into a shared log each time the trainer copies rows from it.</summary>
    private sealed class LoggingSet(InMemoryTrainingSet inner, List<string> log) : ITrainingSet
    {
        public int RowCount => inner.RowCount;

        public int FeatureCount => inner.FeatureCount;

        public int TargetWidth => inner.TargetWidth;

        public bool HasWeights => inner.HasWeights;

        public void CopyRows(ReadOnlySpan<int> rows, Span<float> features, Span<float> targets, Span<float> weights)
        {
            log.Add("load");
            inner.CopyRows(rows, features, targets, weights);
        }
    }

    private static (ITrainingSet Set, List<string> Log) Data()
    {
        const int rows = 40;
        var features = new float[rows * 2];
        var targets = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            features[2 * r] = r % 7;
            features[2 * r + 1] = r % 3;
            targets[r] = r % 2;
        }
        var log = new List<string>();
        return (new LoggingSet(new InMemoryTrainingSet(features, targets, null, 2), log), log);
    }

    /// <summary>40 rows in batches of 10, nothing held out: four batches (one load each) per epoch.</summary>
    private static TrainingSettings Settings() => new()
    {
        Loss = LossKind.BinaryCrossEntropy,
        HiddenLayers = [3],
        Epochs = 5,
        BatchSize = 10,
        EarlyStoppingRounds = 0,
        Seed = 21,
    };

    /// <summary>
    /// The poll answers false nine times, then true. Before each batch the trainer polls, so the log after the first
    /// poll must read (poll, load) nine times, then the one poll that stops it: nine batches ran (two whole epochs and
    /// one batch of the third), no batch ran after the poll said stop, and the poll was not asked again.
    /// </summary>
    [Theory]
    [InlineData(9)]
    [InlineData(0)]
    [InlineData(8)]
    public void TrainingStopsAtTheFirstPollThatSaysSo(int falsePolls)
    {
        (ITrainingSet set, List<string> log) = Data();
        int polls = 0, epochsReported = 0;
        bool Poll()
        {
            log.Add("poll");
            return ++polls > falsePolls;
        }

        Assert.Throws<OperationCanceledException>(() => new NetworkTrainer(Settings()).Train(set, outputs: 1,
            progress: _ => ++epochsReported > 0, cancellation: new TrainingCancellation(CancellationToken.None, Poll)));

        Assert.Equal(falsePolls + 1, polls);
        List<string> training = log.Skip(log.IndexOf("poll")).ToList();
        List<string> expected = [.. Enumerable.Range(0, falsePolls).SelectMany(_ => new[] { "poll", "load" }), "poll"];
        Assert.Equal(expected, training);
        Assert.Equal(falsePolls / 4, epochsReported);
    }

    /// <summary>A token cancelled before training starts stops it before the first batch.</summary>
    [Fact]
    public void CancelledTokenStopsTrainingBeforeTheFirstBatch()
    {
        (ITrainingSet set, List<string> log) = Data();
        using var source = new CancellationTokenSource();
        source.Cancel();
        int epochsReported = 0;

        Assert.Throws<OperationCanceledException>(() => new NetworkTrainer(Settings()).Train(set, outputs: 1,
            progress: _ => ++epochsReported > 0, cancellation: new TrainingCancellation(source.Token)));

        Assert.Equal(0, epochsReported);
        // Only the standardiser's two passes over the data and the constant-prediction yardstick's one (one chunk each)
        // read rows; no batch was loaded.
        Assert.Equal(["load", "load", "load"], log);
    }
}
