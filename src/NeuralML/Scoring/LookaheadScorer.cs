using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Network;

namespace NeuralML.Scoring;

/// <summary>
/// Reads the feature column ahead of the consuming cursor with a second cursor over the same data, and scores up to
/// <see cref="MaxBatchRows"/> rows at a time through the GEMM kernels. A batch result is used only for a row whose
/// position and row ID (ML.NET's identity of a row, the same in every cursor over a view) are the ones the batch
/// scored, so a data view whose second cursor sees other rows costs speed, never correctness; and the consuming
/// cursor never reads the features of a row the batch scored.
/// </summary>
internal sealed class LookaheadScorer : IDisposable, IBatchReader
{
    public const int MaxBatchRows = 1024;

    /// <summary>Floats a batch's buffers may hold: wide layers get fewer rows per batch.</summary>
    private const long WorkspaceBudget = 1 << 22;

    private readonly int _inputs, _outputs, _batchRows;
    private readonly ScoringBuffers _buffers;
    private readonly BufferPool _pool;
    private readonly NetworkScorer _scorer;
    private readonly DataViewRowCursor _lookahead;
    private readonly ValueGetter<VBuffer<float>> _featureGetter;
    private readonly ValueGetter<DataViewRowId> _idGetter;
    private readonly float[] _features, _logits, _scored;
    private readonly DataViewRowId[] _ids;
    private VBuffer<float> _row;
    private long _first;
    private int _count;
    private bool _exhausted;

    // Sparse rows are batched apart from dense ones (SparseScoringBatch): a batch holds one kind; a row of the other
    // kind ends it and, left pending on the second cursor, starts the next one.
    private readonly SparseScoringBatch _sparse;
    private readonly int _sparseBatchRows;
    private bool _batchSparse, _pending;

    // The state of the batch being read: the second cursor stands on a row not yet stored; it met a row it cannot batch.
    private bool _holding, _unbatchable;

    // Whether dense batches are scored while they are read: not once the source turns out to score on the kernels'
    // threads itself (a chained model), which it could then only do on this thread.
    private bool _overlap = true;

    /// <param name="model">The model.</param>
    /// <param name="input">The view the consuming cursor reads.</param>
    /// <param name="featureColumn">The feature column.</param>
    /// <param name="pool">Where the batch buffers come from and go back to (the transformer's: a view read many times allocates them once).</param>
    public LookaheadScorer(FeedForwardModelParameters model, IDataView input, DataViewSchema.Column featureColumn, BufferPool pool)
    {
        _pool = pool;
        _buffers = pool.Rent(model);
        (_inputs, _outputs, _batchRows, _sparseBatchRows) = (_buffers.Inputs, _buffers.Outputs, _buffers.BatchRows, _buffers.SparseBatchRows);
        (_scorer, _features, _logits, _scored, _ids, _sparse) = (_buffers.Scorer, _buffers.Features, _buffers.Logits, _buffers.Scored, _buffers.Ids, _buffers.Sparse);
        _lookahead = input.GetRowCursor([featureColumn]);
        try
        {
            _featureGetter = _lookahead.GetGetter<VBuffer<float>>(featureColumn);
            _idGetter = _lookahead.GetIdGetter();
        }
        catch
        {
            _lookahead.Dispose();
            pool.Return(_buffers);
            throw;
        }
    }

    /// <summary>How many batches this scorer has scored.</summary>
    public int BatchesScored { get; private set; }

    /// <summary>
    /// Copies the scores of the row at <paramref name="position"/> with row ID <paramref name="id"/> into
    /// <paramref name="target"/> if a batch scored that row; false otherwise (the caller scores it on its own).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool TryCopy(long position, in DataViewRowId id, Scores target)
    {
        if (position >= _first + _count && !_exhausted) ReadBatchFrom(position);
        if (position < _first || position >= _first + _count) return false;
        int row = (int)(position - _first);
        if (!_ids[row].Equals(id)) return false;
        _logits.AsSpan(row * _outputs, _outputs).CopyTo(target.Logits);
        _scored.AsSpan(row * _outputs, _outputs).CopyTo(target.Outputs);
        return true;
    }

    /// <summary>Moves the second cursor to <paramref name="position"/> (rows the consumer skipped are skipped here too) and scores a batch from there.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void ReadBatchFrom(long position)
    {
        _count = 0;
        _first = position;
        _sparse.Clear();
        // A row left pending by the last batch is where the second cursor stands: it starts this batch if it is the one asked for.
        bool pending = _pending && _lookahead.Position == position;
        _pending = false;
        while (_lookahead.Position < position - 1)
        {
            if (!_lookahead.MoveNext())
            {
                _exhausted = true;
                return;
            }
        }
        RowRead first = pending ? KindOf(_row) : NextRow(position);
        if (first is RowRead.End or RowRead.Unbatchable)
        {
            _exhausted = true;
            return;
        }
        _batchSparse = first == RowRead.Sparse;
        _unbatchable = false;
        if (_batchSparse)
        {
            ReadSparseBatch();
        }
        else
        {
            // Dense rows are read a chunk at a time while the other threads score the chunks already read.
            _holding = true;
            _count = _buffers.Dense.ReadAndScore(this, _features, _batchRows, _logits, _scored, ref _overlap);
        }
        if (_unbatchable)
        {
            // The second cursor does not count rows as the first does, or a row is malformed: stop batching, score row
            // by row (the consumer's own read reports a malformed row).
            _exhausted = true;
            _count = 0;
            return;
        }
        BatchesScored++;
    }

    /// <summary>Sparse rows from the one the second cursor stands on, until the batch is full or a dense row (left pending) ends it.</summary>
    private void ReadSparseBatch()
    {
        while (true)
        {
            _idGetter(ref _ids[_count]);
            _sparse.Add(_row);
            _count++;
            if (_count == _sparseBatchRows) break;
            RowRead next = NextRow(_first + _count);
            if (next == RowRead.Dense) _pending = true;
            if (next != RowRead.Sparse) break;
        }
        if (!_unbatchable) _sparse.Score(_scorer, _logits, _scored);
    }

    /// <summary>Dense rows for the bulk scorer: the first is the one the second cursor stands on; a sparse row (left pending) ends the batch.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    int IBatchReader.Read(Span<float> features, int first, int rows)
    {
        int read = 0;
        for (; read < rows; read++)
        {
            if (_holding)
            {
                _holding = false;
            }
            else
            {
                RowRead next = NextRow(_first + first + read);
                if (next == RowRead.Sparse) _pending = true;
                if (next != RowRead.Dense) break;
            }
            _idGetter(ref _ids[first + read]);
            _row.CopyTo(features.Slice((first + read) * _inputs, _inputs));
        }
        return read;
    }

    private enum RowRead { End, Unbatchable, Dense, Sparse }

    /// <summary>Moves the second cursor on and reads its features; notes why a batch must end there (the data's end, or a row it cannot batch).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private RowRead NextRow(long expectedPosition)
    {
        if (!_lookahead.MoveNext())
        {
            // The batch ends here, and no batch comes after it.
            _exhausted = true;
            return RowRead.End;
        }
        if (_lookahead.Position != expectedPosition)
        {
            _unbatchable = true;
            return RowRead.Unbatchable;
        }
        _featureGetter(ref _row);
        if (_row.Length != _inputs)
        {
            _unbatchable = true;
            return RowRead.Unbatchable;
        }
        return KindOf(_row);
    }

    private static RowRead KindOf(in VBuffer<float> row) => SparseScoringBatch.IsSparseRow(row) ? RowRead.Sparse : RowRead.Dense;

    public void Dispose()
    {
        _lookahead.Dispose();
        _pool.Return(_buffers);
    }

    /// <summary>A scorer's batch buffers, for one model and the kernels of the time.</summary>
    internal sealed class ScoringBuffers
    {
        public ScoringBuffers(FeedForwardModelParameters model)
        {
            FeedForwardNetwork network = model.Network;
            Network = network;
            Kernels = model.Kernels;
            Inputs = network.InputCount;
            Outputs = network.OutputCount;
            int widest = network.LayerSizeSpan.ToArray().Max();
            BatchRows = (int)Math.Clamp(WorkspaceBudget / ((long)widest * 3), 1, MaxBatchRows);
            // A sparse batch holds no dense input rows: only the layers' outputs count against the budget.
            int widestOutput = network.LayerSizeSpan[1..].ToArray().Max();
            SparseBatchRows = (int)Math.Clamp(WorkspaceBudget / ((long)widestOutput * 3), 1, MaxBatchRows);
            int maxRows = Math.Max(BatchRows, SparseBatchRows);
            Scorer = new NetworkScorer(network, model.Head, model.Kernels, SparseBatchRows);
            Dense = new BulkScorer(network, model.Head, model.Kernels, model.NumberOfThreads ?? Environment.ProcessorCount);
            Features = new float[BatchRows * Inputs];
            Logits = new float[maxRows * Outputs];
            Scored = new float[maxRows * Outputs];
            Ids = new DataViewRowId[maxRows];
            Sparse = new SparseScoringBatch(Inputs, SparseBatchRows);
        }

        public FeedForwardNetwork Network { get; }
        public Kernels.DenseKernels Kernels { get; }
        public int Inputs { get; }
        public int Outputs { get; }
        public int BatchRows { get; }
        public int SparseBatchRows { get; }
        /// <summary>Scores sparse batches.</summary>
        public NetworkScorer Scorer { get; }

        /// <summary>Scores dense batches, their rows split among the threads.</summary>
        public BulkScorer Dense { get; }
        public float[] Features { get; }
        public float[] Logits { get; }
        public float[] Scored { get; }
        public DataViewRowId[] Ids { get; }
        public SparseScoringBatch Sparse { get; }
    }

    /// <summary>
    /// Batch buffers kept between the cursors of one transformer (a few megabytes each: allocating them for every
    /// cursor cost more than scoring a thousand rows), at most <see cref="MaxPooled"/>, one per concurrent cursor.
    /// </summary>
    internal sealed class BufferPool
    {
        private const int MaxPooled = 4;
        private readonly System.Collections.Concurrent.ConcurrentBag<ScoringBuffers> _free = [];

        public ScoringBuffers Rent(FeedForwardModelParameters model)
        {
            while (_free.TryTake(out ScoringBuffers? buffers))
                if (buffers.Network == model.Network && buffers.Kernels == model.Kernels) return buffers;
            return new ScoringBuffers(model);
        }

        public void Return(ScoringBuffers buffers)
        {
            if (_free.Count < MaxPooled) _free.Add(buffers);
        }
    }
}
