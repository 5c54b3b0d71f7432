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
    private const int Inputs = 11;

    /// <summary>Gives the rows of <see cref="Source"/> in order, fewer than asked when the batch is at its end.</summary>
    private sealed class ArrayReader(float[] source, int rows, int throwAtRow = -1) : IBatchReader
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

    private static (FeedForwardNetwork Network, float[] Features) Problem(int rows)
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

            int read = scorer.ReadAndScore(reader, features, maxRows: 2000, logits, outputs);

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
            scorer.ReadAndScore(new ArrayReader(source, available), features, maxRows: 2000, [], onlyOutputs);
            Assert.Equal(expectedOutputs, onlyOutputs[..(batch * width)]);
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

        var error = Assert.Throws<InvalidOperationException>(
            () => scorer.ReadAndScore(new ArrayReader(source, 1024, throwAtRow), features, 1024, [], outputs));
        Assert.Contains($"row {throwAtRow}", error.Message);

        Assert.Equal(1024, scorer.ReadAndScore(new ArrayReader(source, 1024), features, 1024, [], outputs));
    }
}
