using Microsoft.ML.Data;
using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Training;

namespace NeuralML.Scoring;

/// <summary>
/// Which rows are scored sparse, and the buffers of a batch of them. A row that comes as a sparse
/// <see cref="VBuffer{T}"/> with at most <see cref="SparseInput.MaxDensity"/> of at least <see cref="SparseInput.MinColumns"/>
/// slots stored is scored on the sparse kernels (its cost is its stored values, not its width); any other row is
/// made dense. The rule reads the row alone, so a row is scored the same way alone and in a batch.
/// </summary>
internal sealed class SparseScoringBatch
{
    private readonly int _width;
    private float[] _values = new float[64];
    private int[] _indices = new int[64];
    private readonly int[] _offsets;

    public SparseScoringBatch(int width, int maxRows)
    {
        _width = width;
        _offsets = new int[maxRows + 1];
    }

    /// <summary>Whether <paramref name="row"/> is scored sparse.</summary>
    public static bool IsSparseRow(in VBuffer<float> row)
        => !row.IsDense && SparseInput.IsSparse(1, row.Length, row.GetValues().Length);

    /// <summary>Rows held.</summary>
    public int Count { get; private set; }

    public void Clear() => Count = 0;

    /// <summary>Appends <paramref name="row"/> (a sparse row of the model's width).</summary>
    public void Add(in VBuffer<float> row)
    {
        ReadOnlySpan<float> values = row.GetValues();
        int at = _offsets[Count], end = at + values.Length;
        if (_values.Length < end)
        {
            Array.Resize(ref _values, Math.Max(end, 2 * _values.Length));
            Array.Resize(ref _indices, _values.Length);
        }
        values.CopyTo(_values.AsSpan(at));
        row.GetIndices().CopyTo(_indices.AsSpan(at));
        _offsets[++Count] = end;
    }

    /// <summary>Scores the rows held.</summary>
    public void Score(NetworkScorer scorer, Span<float> logits, Span<float> outputs)
        => scorer.Score(new SparseRows(_values, _indices, _offsets.AsSpan(0, Count + 1), _width), logits, outputs);
}
