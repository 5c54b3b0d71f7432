using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Network;

/// <summary>
/// <see cref="BulkScorer.ReadAndScore"/>, which scores chunks while the calling thread is still reading later ones:
/// every batch length around its chunk and batch limits gives each row the bits of scoring the rows at once, a reader
/// that stops early ends the batch there, and a reader that throws does so to the caller without leaving a thread
/// waiting.
/// </summary>
public class BulkScorerTests
{
    internal const int Inputs = 11;

    /// <summary>Gives the rows of <see cref="Source"/> in order, fewer than asked when the batch is at its end.</summary>
    internal sealed class ArrayReader(float[] source, int rows, int throwAtRow = -1) : IBatchReader
    {
        public int Calls { get; private set; }

        public int Read(Span<float> features, int first, int count)
        {
            Calls++;
            int read = Math.Max(0, Math.Min(count, rows - first));
            if (throwAtRow >= first && throwAtRow < first + count) throw new InvalidOperationException($"row {throwAtRow} is broken");
            source.AsSpan(first * Inputs, read * Inputs).CopyTo(features[(first * Inputs)..]);
            return read;
        }
    }

    internal static (FeedForwardNetwork Network, float[] Features) Problem(int rows)
    {
        var network = new FeedForwardNetwork(Inputs, [40, 9], Activation.Relu, 3);
        var random = new Xoshiro256StarStar(12);
        network.Initialize(random);
        var features = new float[rows * Inputs];
        for (int i = 0; i < features.Length; i++) features[i] = (float)random.NextGaussian();
        return (network, features);
    }

    public static TheoryData<int, string> LengthsAndPaths()
    {
        var data = new TheoryData<int, string>();
        foreach (string path in KernelPaths.UnderTest)
            foreach (int rows in new[] { 0, 1, 5, 127, 128, 129, 300, 1023, 1024, 1500 })
                data.Add(rows, path);
        return data;
    }

    [Theory]
    [MemberData(nameof(LengthsAndPaths))]
    public void Rows_scored_while_read_have_the_bits_of_scoring_them_at_once(int available, string path)
    {
        (FeedForwardNetwork network, float[] source) = Problem(available);
        int width = network.OutputCount, batch = Math.Min(available, BulkScorer.ChunkRows);
        foreach (int threads in new[] { 1, 2, 4 })
        {
            var scorer = new BulkScorer(network, OutputHead.Softmax, DenseKernels.Create(threads, path), threads);
            var features = new float[BulkScorer.ChunkRows * Inputs];
            var logits = new float[BulkScorer.ChunkRows * width];
            var outputs = new float[BulkScorer.ChunkRows * width];
            var reader = new ArrayReader(source, available);

            bool overlap = true;
            int read = scorer.ReadAndScore(reader, features, maxRows: 2000, logits, outputs, ref overlap);

            Assert.Equal(batch, read);
            var expectedLogits = new float[batch * width];
            var expectedOutputs = new float[batch * width];
            new BulkScorer(network, OutputHead.Softmax, DenseKernels.Create(1, path), 1)
                .Score(source.AsSpan(0, batch * Inputs), batch, expectedLogits, expectedOutputs);
            Assert.Equal(expectedLogits, logits[..(batch * width)]);
            Assert.Equal(expectedOutputs, outputs[..(batch * width)]);
            // Rows arrive a chunk at a time (the first chunk alone when it ends the batch).
            Assert.True(reader.Calls >= Math.Min(2, (batch + BulkScorer.PipelineChunkRows - 1) / BulkScorer.PipelineChunkRows),
                $"{reader.Calls} reads for {batch} rows on {threads} threads");

            // Without logits wanted, the outputs are the same.
            var onlyOutputs = new float[BulkScorer.ChunkRows * width];
            scorer.ReadAndScore(new ArrayReader(source, available), features, maxRows: 2000, [], onlyOutputs, ref overlap);
            Assert.Equal(expectedOutputs, onlyOutputs[..(batch * width)]);

            // Without overlap, the batch is read in one call, then scored: the same bits.
            var serial = new float[BulkScorer.ChunkRows * width];
            var oneRead = new ArrayReader(source, available);
            bool noOverlap = false;
            scorer.ReadAndScore(oneRead, features, maxRows: 2000, [], serial, ref noOverlap);
            Assert.Equal(expectedOutputs, serial[..(batch * width)]);
            Assert.Equal(1, oneRead.Calls);
            Assert.True(overlap, "a plain reader keeps the overlap");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(128)]
    [InlineData(700)]
    public void A_reader_that_throws_reaches_the_caller_and_the_scorer_still_works(int throwAtRow)
    {
        (FeedForwardNetwork network, float[] source) = Problem(1024);
        var scorer = new BulkScorer(network, OutputHead.Softmax, DenseKernels.Create(2), 2);
        var features = new float[1024 * Inputs];
        var outputs = new float[1024 * network.OutputCount];

        bool overlap = true;
        var error = Assert.Throws<InvalidOperationException>(
            () => scorer.ReadAndScore(new ArrayReader(source, 1024, throwAtRow), features, 1024, [], outputs, ref overlap));
        Assert.Contains($"row {throwAtRow}", error.Message);

        Assert.Equal(1024, scorer.ReadAndScore(new ArrayReader(source, 1024), features, 1024, [], outputs, ref overlap));
    }

    [Fact]
    public void Buffers_shorter_than_the_batch_are_refused()
    {
        (FeedForwardNetwork network, float[] source) = Problem(300);
        var scorer = new BulkScorer(network, OutputHead.Softmax, DenseKernels.Create(2), 2);
        bool overlap = true;
        Assert.Throws<ArgumentException>(() => scorer.ReadAndScore(new ArrayReader(source, 300), new float[299 * Inputs], 300, [], new float[300 * 3], ref overlap));
        Assert.Throws<ArgumentException>(() => scorer.ReadAndScore(new ArrayReader(source, 300), new float[300 * Inputs], 300, [], new float[299 * 3], ref overlap));
        Assert.Throws<ArgumentException>(() => scorer.ReadAndScore(new ArrayReader(source, 300), new float[300 * Inputs], 300, new float[3], new float[300 * 3], ref overlap));
    }
}

/// <summary>
/// <see cref="BulkScorer.ReadAndScore"/> with the kernels' pool to itself (these need the other cores free): a batch's
/// first chunk is scored while the reader is still reading, and a reader whose source scores on the pool itself (a
/// nested job, which runs on the reading thread) gets the same bits and turns the overlap off for the next batches.
/// </summary>
[Collection(RunsAlone.Name)]
public class BulkScorerOverlapTests
{
    /// <summary>Waits, when asked for its second chunk, until the first chunk's outputs have been written.</summary>
    private sealed class WaitingReader(float[] source, float[] outputs) : IBatchReader
    {
        public bool SawFirstChunkScored { get; private set; }

        public int Read(Span<float> features, int first, int count)
        {
            if (first == BulkScorer.PipelineChunkRows)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (float.IsNaN(Volatile.Read(ref outputs[0])) && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Yield();
                SawFirstChunkScored = !float.IsNaN(Volatile.Read(ref outputs[0]));
            }
            source.AsSpan(first * BulkScorerTests.Inputs, count * BulkScorerTests.Inputs).CopyTo(features[(first * BulkScorerTests.Inputs)..]);
            return count;
        }
    }

    [Fact]
    public void The_first_chunk_is_scored_while_the_rest_is_read()
    {
        if (Environment.ProcessorCount < 2) return; // one core: nothing runs beside the reader
        (FeedForwardNetwork network, float[] source) = BulkScorerTests.Problem(1024);
        var scorer = new BulkScorer(network, OutputHead.Softmax, DenseKernels.Create(2), 2);
        var outputs = new float[1024 * network.OutputCount];
        Array.Fill(outputs, float.NaN);
        var reader = new WaitingReader(source, outputs);
        bool overlap = true;

        scorer.ReadAndScore(reader, new float[1024 * BulkScorerTests.Inputs], 1024, [], outputs, ref overlap);

        Assert.True(reader.SawFirstChunkScored, "the first chunk was not scored while the reader waited");
        Assert.DoesNotContain(outputs, float.IsNaN);
    }

    /// <summary>Scores 512 rows with another network on every thread before it gives each chunk, as a chained model's view does.</summary>
    private sealed class ScoringReader(float[] source, BulkScorer upstream, int width) : IBatchReader
    {
        public int Read(Span<float> features, int first, int count)
        {
            var upstreamOutputs = new float[512 * width];
            upstream.Score(source.AsSpan(0, 512 * BulkScorerTests.Inputs), 512, upstreamOutputs);
            source.AsSpan(first * BulkScorerTests.Inputs, count * BulkScorerTests.Inputs).CopyTo(features[(first * BulkScorerTests.Inputs)..]);
            return count;
        }
    }

    [Fact]
    public async Task A_reader_that_scores_on_the_pool_itself_gets_the_same_bits_and_turns_the_overlap_off()
    {
        if (Environment.ProcessorCount < 2) return; // one core: no job is split, none is nested
        (FeedForwardNetwork network, float[] source) = BulkScorerTests.Problem(1024);
        var kernels = DenseKernels.Create(2);
        var upstream = new BulkScorer(network, OutputHead.Softmax, kernels, 2);
        var scorer = new BulkScorer(network, OutputHead.Softmax, kernels, 2);
        var outputs = new float[1024 * network.OutputCount];
        var expected = new float[1024 * network.OutputCount];
        new BulkScorer(network, OutputHead.Softmax, DenseKernels.Create(1), 1).Score(source, 1024, expected);
        bool overlap = true;

        Task scoring = Task.Run(() => scorer.ReadAndScore(new ScoringReader(source, upstream, network.OutputCount),
            new float[1024 * BulkScorerTests.Inputs], 1024, [], outputs, ref overlap));

        // A nested job that took the pool from the outer one would never finish: TimeoutException instead.
        await scoring.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(expected, outputs);
        Assert.False(overlap, "a reader that scores on the pool should turn the overlap off");
    }
}
