using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Network;

namespace NeuralML.Scoring;

/// <summary>The logits and outputs (probabilities or score) of one row.</summary>
internal sealed class Scores(int width)
{
    public float[] Logits { get; } = new float[width];

    public float[] Outputs { get; } = new float[width];

    /// <summary>1-based index of the most probable class (0 if the outputs are NaN), as a key value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public uint MostProbableClassKey()
    {
        int best = -1;
        float bestValue = float.NegativeInfinity;
        for (int k = 0; k < Outputs.Length; k++)
        {
            if (Outputs[k] > bestValue)
            {
                bestValue = Outputs[k];
                best = k;
            }
        }
        return (uint)(best + 1);
    }
}

/// <summary>
/// The scores of a cursor's current row, computed once per row however many output columns read them. With a
/// <see cref="LookaheadScorer"/> they come from a batch scored ahead, when that batch scored this very row (same
/// position, same row ID), and the row's features are not read again; otherwise (shuffled cursors, prediction
/// engines, a mismatch) the row is scored on its own. Both give the same bits: a row's result depends only on its
/// features, not on its batch. A sparse row stays sparse (<see cref="SparseScoringBatch"/>), alone and in the batch.
/// </summary>
internal sealed class RowScores
{
    private readonly DataViewRow _input;
    private readonly ValueGetter<VBuffer<float>> _featureGetter;
    private readonly NetworkScorer _scorer;
    private readonly LookaheadScorer? _lookahead;
    private readonly ValueGetter<DataViewRowId>? _idGetter;
    private readonly float[] _dense;
    private readonly Scores _current;
    private VBuffer<float> _features;
    private SparseScoringBatch? _sparse;
    private long _position = -1;

    public RowScores(FeedForwardModelParameters model, DataViewRow input, DataViewSchema.Column featureColumn, LookaheadScorer? lookahead)
    {
        _input = input;
        _featureGetter = input.GetGetter<VBuffer<float>>(featureColumn);
        _scorer = new NetworkScorer(model.Network, model.Head, model.Kernels, maxRows: 1);
        _lookahead = lookahead;
        _idGetter = lookahead is null ? null : input.GetIdGetter();
        _dense = new float[model.Network.InputCount];
        _current = new Scores(model.Network.OutputCount);
    }

    private void ScoreSparse()
    {
        _sparse ??= new SparseScoringBatch(_dense.Length, maxRows: 1);
        _sparse.Clear();
        _sparse.Add(_features);
        _sparse.Score(_scorer, _current.Logits, _current.Outputs);
    }

    /// <summary>The current row's scores.</summary>
    public Scores Current
    {
        // Once per row: fully optimised from the first call (a one-off Evaluate never reaches the JIT's later tiers).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        get
        {
            long position = _input.Position;
            if (position < 0) throw new InvalidOperationException("The cursor is not on a row: call MoveNext first.");
            if (_position != position)
            {
                if (_lookahead is not null)
                {
                    DataViewRowId id = default;
                    _idGetter!(ref id);
                    if (_lookahead.TryCopy(position, id, _current))
                    {
                        _position = position;
                        return _current;
                    }
                }
                _featureGetter(ref _features);
                if (_features.Length != _dense.Length)
                    throw new InvalidOperationException($"The model expects {_dense.Length} features, row {position} has {_features.Length}.");
                if (SparseScoringBatch.IsSparseRow(_features))
                {
                    ScoreSparse();
                }
                else
                {
                    _features.CopyTo(_dense);
                    _scorer.Score(_dense, 1, _current.Logits, _current.Outputs);
                }
                _position = position;
            }
            return _current;
        }
    }
}
