using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Training;

namespace NeuralML;

/// <summary>
/// Scores the rows of one cursor, once per row however many output columns read it. With a <see cref="BatchScorer"/>
/// it takes the row's outputs from a batch scored ahead, when that batch saw exactly this row's features; otherwise
/// (shuffled cursors, prediction engines, a mismatch) it scores the row on its own. Both give the same bits: a row's
/// result depends only on its features, not on its batch.
/// </summary>
internal sealed class RowScorer
{
    private readonly DataViewRow _input;
    private readonly ValueGetter<VBuffer<float>> _featureGetter;
    private readonly RowPredictor _predictor;
    private readonly BatchScorer? _batch;
    private readonly float[] _dense;
    private VBuffer<float> _features;
    private long _position = -1;

    public RowScorer(FeedForwardModelParameters model, DataViewRow input, DataViewSchema.Column featureColumn, BatchScorer? batch)
    {
        _input = input;
        _featureGetter = input.GetGetter<VBuffer<float>>(featureColumn);
        _predictor = new RowPredictor(model);
        _batch = batch;
        _dense = new float[model.Network.InputCount];
    }

    /// <summary>The current row's logits and outputs (probabilities or score).</summary>
    public RowPredictor Current
    {
        get
        {
            long position = _input.Position;
            if (position < 0) throw new InvalidOperationException("The cursor is not on a row: call MoveNext first.");
            if (_position != position)
            {
                _featureGetter(ref _features);
                if (_features.Length != _dense.Length)
                    throw new InvalidOperationException($"The model expects {_dense.Length} features, row {position} has {_features.Length}.");
                _features.CopyTo(_dense);
                if (_batch is null || !_batch.TryCopy(position, _dense, _predictor)) _predictor.Predict(_dense);
                _position = position;
            }
            return _predictor;
        }
    }
}

/// <summary>
/// Reads the feature column ahead of the consuming cursor with a second cursor over the same data, and scores up to
/// <see cref="MaxBatchRows"/> rows at a time through the GEMM kernels. A batch result is used only for a row whose
/// features are bit for bit the ones the batch scored, so a data view whose second cursor sees other rows (or other
/// values) costs speed, never correctness.
/// </summary>
internal sealed class BatchScorer : IDisposable
{
    public const int MaxBatchRows = 256;

    /// <summary>Floats a batch's buffers may hold: wide layers get fewer rows per batch.</summary>
    private const long WorkspaceBudget = 1 << 22;

    private static long _batchesScored;
    private readonly FeedForwardNetwork _network;
    private readonly IDenseKernels _kernels;
    private readonly LossHead _head;
    private readonly DataViewRowCursor _lookahead;
    private readonly ValueGetter<VBuffer<float>> _featureGetter;
    private readonly NetworkWorkspace _workspace;
    private readonly int _batchRows;
    private readonly float[] _features;
    private readonly float[] _logits;
    private readonly float[] _outputs;
    private VBuffer<float> _row;
    private long _first;
    private int _count;
    private bool _exhausted;

    public BatchScorer(FeedForwardModelParameters model, IDataView input, DataViewSchema.Column featureColumn)
    {
        _network = model.Network;
        _kernels = model.Kernels;
        _head = RowPredictor.HeadOf(model.Kind);
        int widest = _network.LayerSizeSpan.ToArray().Max();
        _batchRows = (int)Math.Clamp(WorkspaceBudget / ((long)widest * 3), 1, MaxBatchRows);
        _workspace = NetworkWorkspace.ForInference(_network, _batchRows);
        _features = new float[_batchRows * _network.InputCount];
        _logits = new float[_batchRows * _network.OutputCount];
        _outputs = new float[_batchRows * _network.OutputCount];
        _lookahead = input.GetRowCursor([featureColumn]);
        _featureGetter = _lookahead.GetGetter<VBuffer<float>>(featureColumn);
    }

    /// <summary>How many batches all batch scorers have scored so far (diagnostics and tests).</summary>
    public static long BatchesScored => Interlocked.Read(ref _batchesScored);

    /// <summary>
    /// Copies the scores of the row at <paramref name="position"/> into <paramref name="target"/> if a batch scored
    /// exactly <paramref name="features"/> for it; false otherwise.
    /// </summary>
    public bool TryCopy(long position, ReadOnlySpan<float> features, RowPredictor target)
    {
        if (position >= _first + _count && !_exhausted) ReadBatchFrom(position);
        if (position < _first || position >= _first + _count) return false;
        int row = (int)(position - _first), width = _network.OutputCount, inputs = _network.InputCount;
        ReadOnlySpan<float> scored = _features.AsSpan(row * inputs, inputs);
        if (!MemoryMarshal.AsBytes(scored).SequenceEqual(MemoryMarshal.AsBytes(features))) return false;
        target.Set(_logits.AsSpan(row * width, width), _outputs.AsSpan(row * width, width));
        return true;
    }

    /// <summary>Moves the second cursor to <paramref name="position"/> (rows the consumer skipped are skipped here too) and scores a batch from there.</summary>
    private void ReadBatchFrom(long position)
    {
        int inputs = _network.InputCount, width = _network.OutputCount;
        _count = 0;
        _first = position;
        while (_lookahead.Position < position - 1)
        {
            if (!_lookahead.MoveNext())
            {
                _exhausted = true;
                return;
            }
        }
        while (_count < _batchRows && _lookahead.MoveNext())
        {
            if (_lookahead.Position != _first + _count)
            {
                // The second cursor does not count rows as the first does: stop batching, score row by row.
                _exhausted = true;
                _count = 0;
                return;
            }
            _featureGetter(ref _row);
            if (_row.Length != inputs)
            {
                _exhausted = true;
                _count = 0;
                return;
            }
            _row.CopyTo(_features.AsSpan(_count * inputs, inputs));
            _count++;
        }
        if (_count < _batchRows) _exhausted = true;
        if (_count == 0) return;
        Interlocked.Increment(ref _batchesScored);
        _network.Forward(_features, _count, _workspace, _kernels).CopyTo(_logits);
        _logits.AsSpan(0, _count * width).CopyTo(_outputs);
        for (int r = 0; r < _count; r++) _head.Transform(_outputs.AsSpan(r * width, width));
    }

    public void Dispose() => _lookahead.Dispose();
}
