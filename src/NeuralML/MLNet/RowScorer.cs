using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Training;

namespace NeuralML;

/// <summary>
/// Scores the rows of one cursor, once per row however many output columns read it. With a <see cref="BatchScorer"/>
/// it takes the row's outputs from a batch scored ahead; otherwise (shuffled cursors, prediction engines) it scores the
/// row on its own. Both give the same bits: a row's result does not depend on its batch.
/// </summary>
internal sealed class RowScorer
{
    private readonly DataViewRow _input;
    private readonly ValueGetter<VBuffer<float>> _featureGetter;
    private readonly RowPredictor _predictor;
    private readonly BatchScorer? _batch;
    private VBuffer<float> _features;
    private long _position = -1;

    public RowScorer(FeedForwardModelParameters model, DataViewRow input, DataViewSchema.Column featureColumn, BatchScorer? batch)
    {
        _input = input;
        _featureGetter = input.GetGetter<VBuffer<float>>(featureColumn);
        _predictor = new RowPredictor(model);
        _batch = batch;
    }

    /// <summary>The current row's logits and outputs (probabilities or score).</summary>
    public RowPredictor Current
    {
        get
        {
            long position = _input.Position;
            if (_position != position)
            {
                if (_batch is null || !_batch.TryCopy(position, _predictor))
                {
                    _featureGetter(ref _features);
                    _predictor.Predict(_features);
                }
                _position = position;
            }
            return _predictor;
        }
    }
}

/// <summary>
/// Reads the feature column ahead of the consuming cursor with a second cursor over the same data, and scores
/// <see cref="BatchRows"/> rows at a time through the GEMM kernels.
/// </summary>
internal sealed class BatchScorer : IDisposable
{
    public const int BatchRows = 256;
    private static long _batchesScored;
    private readonly FeedForwardNetwork _network;
    private readonly IDenseKernels _kernels;
    private readonly LossHead _head;
    private readonly DataViewRowCursor _lookahead;
    private readonly ValueGetter<VBuffer<float>> _featureGetter;
    private readonly NetworkWorkspace _workspace;
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
        _lookahead = input.GetRowCursor([featureColumn]);
        _featureGetter = _lookahead.GetGetter<VBuffer<float>>(featureColumn);
        _workspace = new NetworkWorkspace(_network, BatchRows);
        _features = new float[BatchRows * _network.InputCount];
        _logits = new float[BatchRows * _network.OutputCount];
        _outputs = new float[BatchRows * _network.OutputCount];
    }

    /// <summary>How many batches all batch scorers have scored so far (diagnostics and tests).</summary>
    public static long BatchesScored => Interlocked.Read(ref _batchesScored);

    /// <summary>Copies the scores of the row at <paramref name="position"/> into <paramref name="target"/>; false if that row is not the next one ahead.</summary>
    public bool TryCopy(long position, RowPredictor target)
    {
        if (position == _first + _count && !_exhausted) ReadBatch();
        if (position < _first || position >= _first + _count) return false;
        int row = (int)(position - _first), width = _network.OutputCount;
        target.Set(_logits.AsSpan(row * width, width), _outputs.AsSpan(row * width, width));
        return true;
    }

    private void ReadBatch()
    {
        int inputs = _network.InputCount, width = _network.OutputCount;
        _first += _count;
        _count = 0;
        while (_count < BatchRows && _lookahead.MoveNext())
        {
            if (_lookahead.Position != _first + _count)
            {
                // The second cursor does not walk the rows as the first does: stop batching, score row by row.
                _exhausted = true;
                _count = 0;
                return;
            }
            _featureGetter(ref _row);
            if (_row.Length != inputs) throw new InvalidOperationException($"The model expects {inputs} features, row {_lookahead.Position} has {_row.Length}.");
            _row.CopyTo(_features.AsSpan(_count * inputs, inputs));
            _count++;
        }
        if (_count < BatchRows) _exhausted = true;
        if (_count == 0) return;
        Interlocked.Increment(ref _batchesScored);
        _network.Forward(_features, _count, _workspace, _kernels).CopyTo(_logits);
        _logits.AsSpan(0, _count * width).CopyTo(_outputs);
        for (int r = 0; r < _count; r++) _head.Transform(_outputs.AsSpan(r * width, width));
    }

    public void Dispose() => _lookahead.Dispose();
}
