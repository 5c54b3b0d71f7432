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

    /// <summary>
    /// Reads up to <paramref name="maxRows"/> rows (at most <see cref="ChunkRows"/>) with <paramref name="reader"/> into
    /// <paramref name="features"/> and scores them into <paramref name="logits"/> (or nowhere, when empty) and
    /// <paramref name="outputs"/>; returns how many rows the reader gave. The calling thread reads, a chunk of
    /// <see cref="PipelineChunkRows"/> rows at a time, while the other threads score the chunks already read; when
    /// the reading ends, the calling thread scores too. Reading (a cursor's copy of each row into a buffer larger than
    /// the cache) is then hidden behind the scoring instead of running while the other cores wait. A row's result
    /// depends only on its features, so the bits are those of <see cref="Score(ReadOnlySpan{float}, int, Span{float}, Span{float})"/>.
    /// A reader whose source scores on the kernels' threads itself (another model's scored view) can only do so on its
    /// own thread inside this job: then <paramref name="overlap"/> is set to false, and a call with it false reads the
    /// whole batch first and scores it on every thread.
    /// </summary>
    /// <exception cref="ArgumentException">A buffer is shorter than <paramref name="maxRows"/> rows (at most <see cref="ChunkRows"/>).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int ReadAndScore(IBatchReader reader, Span<float> features, int maxRows, Span<float> logits, Span<float> outputs, ref bool overlap)
    {
        maxRows = Math.Min(maxRows, ChunkRows);
        if (features.Length < maxRows * _inputs || outputs.Length < maxRows * _outputs || !logits.IsEmpty && logits.Length < maxRows * _outputs)
            throw new ArgumentException($"The buffers must hold {maxRows} rows: {_inputs} features and {_outputs} outputs each.");
        int firstChunk = overlap ? Math.Min(PipelineChunkRows, maxRows) : maxRows;
        int rows = reader.Read(features, 0, firstChunk);
        if (_parts.Length == 1 || rows < firstChunk || rows == maxRows)
        {
            // One thread, a batch of one chunk, or no overlap: read it all, then score it on every thread.
            if (rows == firstChunk && rows < maxRows) rows += reader.Read(features, rows, maxRows - rows);
            Score(features[..(rows * _inputs)], rows, logits, outputs);
            return rows;
        }
        int nestedBefore = WorkerPool.Shared.NestedRuns;
        GCHandle self = GCHandle.Alloc(this);
        _reader = reader;
        _rowsRead = rows;
        _readingEnded = 0;
        _claimedRows = 0;
        try
        {
            fixed (float* x = features)
            fixed (float* l = logits)
            fixed (float* y = outputs)
            {
                var job = new Job { Self = GCHandle.ToIntPtr(self), X = x, Logits = l, Y = y, Rows = maxRows, Parts = _parts.Length };
                WorkerPool.Shared.Run(_parts.Length, &RunPipelinedPart, &job);
            }
            if (WorkerPool.Shared.NestedRuns != nestedBefore) overlap = false;
            return _rowsRead;
        }
        finally
        {
            _reader = null;
            self.Free();
        }
    }

    /// <summary>Rows read between two hand-overs to the scoring threads: as efficient to score on one thread as 1,024 rows (measured), and a short wait for the first one.</summary>
    public const int PipelineChunkRows = 128;

    private IBatchReader? _reader;
    private int _rowsRead, _readingEnded, _claimedRows;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunPipelinedPart(void* state, int part)
    {
        ref Job job = ref *(Job*)state;
        var scorer = (BulkScorer)GCHandle.FromIntPtr(job.Self).Target!;
        int inputs = scorer._inputs, width = scorer._outputs;
        var features = new Span<float>(job.X, job.Rows * inputs);
        var outputs = new Span<float>(job.Y, job.Rows * width);
        Span<float> logits = job.Logits is null ? [] : new Span<float>(job.Logits, job.Rows * width);
        if (part == 0)
        {
            try
            {
                for (int read = scorer._rowsRead; read < job.Rows;)
                {
                    int wanted = Math.Min(PipelineChunkRows, job.Rows - read);
                    int got = scorer._reader!.Read(features, read, wanted);
                    read += got;
                    Volatile.Write(ref scorer._rowsRead, read);
                    if (got < wanted) break;
                }
            }
            finally
            {
                // Also when the reader throws: the scoring threads stop waiting, and the pool rethrows once they have.
                Volatile.Write(ref scorer._readingEnded, 1);
            }
        }
        NetworkScorer network = scorer._parts[part];
        while (scorer.Claim(job.Rows, job.Parts) is (int start, int size))
        {
            int ready = WaitForRows(scorer, start + size);
            int count = Math.Min(size, ready - start);
            if (count <= 0) return;
            Span<float> chunkLogits = logits.IsEmpty ? scorer._logits[part] : logits.Slice(start * width, count * width);
            network.Score(features.Slice(start * inputs, count * inputs), count, chunkLogits, outputs.Slice(start * width, count * width));
        }
    }

    /// <summary>
    /// The next rows a thread scores, or null when none are left: chunks of <see cref="PipelineChunkRows"/> while the
    /// reading goes on; after it, shrinking shares of what is left (guided scheduling), so that the threads finish
    /// together rather than one scoring a last whole chunk while the others wait.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (int Start, int Size)? Claim(int maxRows, int parts)
    {
        while (true)
        {
            int start = Volatile.Read(ref _claimedRows);
            bool ended = Volatile.Read(ref _readingEnded) != 0;
            int end = ended ? Volatile.Read(ref _rowsRead) : maxRows;
            if (start >= end) return null;
            int size = PipelineChunkRows;
            if (ended)
            {
                // Whole tiles of the micro-kernel, at least a few of them: smaller products lose more than they balance.
                size = Math.Max(MinTailRows, (end - start) / (2 * parts));
                size = Math.Min((size + 5) / 6 * 6, end - start);
            }
            if (Interlocked.CompareExchange(ref _claimedRows, start + size, start) == start) return (start, size);
        }
    }

    private const int MinTailRows = 48;

    /// <summary>Waits until <paramref name="rows"/> rows are read or the reading has ended; returns the rows read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int WaitForRows(BulkScorer scorer, int rows)
    {
        long started = 0;
        for (int polls = 0; ; polls++)
        {
            // The end flag is written after the last count, so a count read after seeing it is final.
            bool ended = Volatile.Read(ref scorer._readingEnded) != 0;
            int read = Volatile.Read(ref scorer._rowsRead);
            if (read >= rows || ended) return read;
            // A chunk takes tens of microseconds to read; a slow source (a text file being parsed on other threads)
            // gets the core back: offered after half a millisecond, given up for a millisecond at a time after two.
            if ((polls & 1023) == 1023)
            {
                long now = System.Diagnostics.Stopwatch.GetTimestamp();
                if (started == 0) started = now;
                else if (now - started > System.Diagnostics.Stopwatch.Frequency / 500) Thread.Sleep(1);
                else if (now - started > System.Diagnostics.Stopwatch.Frequency / 2000) Thread.Yield();
            }
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

/// <summary>Fills the rows of a batch, in order, for <see cref="BulkScorer.ReadAndScore"/>; called on the thread that calls it.</summary>
internal interface IBatchReader
{
    /// <summary>
    /// Reads up to <paramref name="rows"/> rows into <paramref name="features"/> (rows, inputs), from row
    /// <paramref name="first"/> on; returns how many it read: fewer when the batch ends there.
    /// </summary>
    int Read(Span<float> features, int first, int rows);
}
