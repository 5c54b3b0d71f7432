using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NeuralML.Kernels;

namespace NeuralML.Network;

/// <summary>
/// Scores many rows at once for callers that hold them in arrays: the rows are split into one contiguous range per
/// thread, and each thread runs the whole network over its range with single-threaded kernels (its activations stay in
/// its own cache, and the layers need no fork and join between them); few rows run on the calling thread with the
/// multi-threaded kernels instead, which split each layer's columns. A row's result depends only on its features, so
/// every split gives the same bits. One instance per calling thread: it owns the scorers' workspaces.
/// </summary>
internal sealed unsafe class BulkScorer
{
    /// <summary>Rows a scorer's buffers hold; longer ranges are scored a chunk at a time.</summary>
    public const int ChunkRows = 1024;

    /// <summary>Each thread's range is at least this long (below it, splitting the layers' columns is cheaper).</summary>
    private const int MinRowsPerPart = 128;

    private readonly NetworkScorer _whole;
    private readonly NetworkScorer[] _parts;
    private readonly float[][] _logits;
    private readonly int _inputs, _outputs;

    /// <param name="network">The network.</param>
    /// <param name="head">Its output head.</param>
    /// <param name="kernels">The multi-threaded kernels, for few rows.</param>
    /// <param name="threads">Threads to split many rows among.</param>
    public BulkScorer(FeedForwardNetwork network, OutputHead head, DenseKernels kernels, int threads)
    {
        _inputs = network.InputCount;
        _outputs = network.OutputCount;
        _whole = new NetworkScorer(network, head, kernels, ChunkRows);
        int parts = Math.Max(1, Math.Min(threads, WorkerPool.Shared.MaxParts));
        DenseKernels single = kernels.WithThreads(1);
        _parts = new NetworkScorer[parts];
        _logits = new float[parts + 1][];
        for (int p = 0; p < parts; p++)
        {
            _parts[p] = p == 0 && parts == 1 ? _whole : new NetworkScorer(network, head, single, ChunkRows);
            _logits[p] = new float[ChunkRows * _outputs];
        }
        _logits[parts] = new float[ChunkRows * _outputs];
    }

    /// <summary>Scores <paramref name="rows"/> rows of <paramref name="features"/> (rows, inputs) into <paramref name="outputs"/> (rows, outputs).</summary>
    public void Score(ReadOnlySpan<float> features, int rows, Span<float> outputs) => Score(features, rows, [], outputs);

    /// <summary>
    /// Scores <paramref name="rows"/> rows of <paramref name="features"/> (rows, inputs) into <paramref name="logits"/>
    /// (rows, outputs; or empty when they are not wanted) and <paramref name="outputs"/> (rows, outputs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Score(ReadOnlySpan<float> features, int rows, Span<float> logits, Span<float> outputs)
    {
        int parts = Math.Min(_parts.Length, rows / MinRowsPerPart);
        if (parts <= 1)
        {
            ScoreRange(_whole, _logits[^1], features, logits, outputs, 0, rows, _inputs, _outputs);
            return;
        }
        GCHandle self = GCHandle.Alloc(this);
        try
        {
            fixed (float* x = features)
            fixed (float* l = logits)
            fixed (float* y = outputs)
            {
                var job = new Job { Self = GCHandle.ToIntPtr(self), X = x, Logits = l, Y = y, Rows = rows, Parts = parts };
                WorkerPool.Shared.Run(parts, &RunPart, &job);
            }
        }
        finally
        {
            self.Free();
        }
    }

    private struct Job
    {
        public nint Self;
        public float* X, Logits, Y;
        public int Rows, Parts;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunPart(void* state, int part)
    {
        ref Job job = ref *(Job*)state;
        var scorer = (BulkScorer)GCHandle.FromIntPtr(job.Self).Target!;
        int start = (int)((long)job.Rows * part / job.Parts), end = (int)((long)job.Rows * (part + 1) / job.Parts);
        var features = new ReadOnlySpan<float>(job.X, job.Rows * scorer._inputs);
        var outputs = new Span<float>(job.Y, job.Rows * scorer._outputs);
        Span<float> logits = job.Logits is null ? [] : new Span<float>(job.Logits, job.Rows * scorer._outputs);
        ScoreRange(scorer._parts[part], scorer._logits[part], features, logits, outputs, start, end, scorer._inputs, scorer._outputs);
    }

    /// <summary>Rows [start, end) a chunk at a time, their logits into <paramref name="logits"/> when it is not empty, else into <paramref name="scratch"/>.</summary>
    private static void ScoreRange(NetworkScorer scorer, float[] scratch, ReadOnlySpan<float> features, Span<float> logits, Span<float> outputs, int start, int end, int inputs, int width)
    {
        for (int first = start; first < end; first += ChunkRows)
        {
            int count = Math.Min(ChunkRows, end - first);
            Span<float> chunkLogits = logits.IsEmpty ? scratch : logits.Slice(first * width, count * width);
            scorer.Score(features.Slice(first * inputs, count * inputs), count, chunkLogits, outputs.Slice(first * width, count * width));
        }
    }
}
