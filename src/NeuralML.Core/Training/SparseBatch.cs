using NeuralML.Kernels;

namespace NeuralML.Training;

/// <summary>
/// The features of one mini-batch kept sparse (CSR), and their transpose for the weight gradient. The buffers grow to
/// the largest batch seen and are then reused, so after the first epoch loading a batch allocates nothing.
/// </summary>
internal sealed class SparseBatch
{
    private float[] _values = [];
    private int[] _indices = [];
    private readonly int[] _offsets;
    private readonly int _columns;
    private int _rows;

    public SparseBatch(int capacity, int columns)
    {
        _offsets = new int[capacity + 1];
        _columns = columns;
    }

    /// <summary>The batch's columns with their entries, built by <see cref="Transpose"/>.</summary>
    public SparseColumns Columns { get; } = new();

    /// <summary>The loaded rows.</summary>
    public SparseRows Rows => new(_values, _indices, _offsets.AsSpan(0, _rows + 1), _columns);

    /// <summary>Copies <paramref name="rows"/> of <paramref name="features"/>, in order.</summary>
    public void Load(SparseFeatures features, ReadOnlySpan<int> rows)
    {
        int nnz = 0;
        foreach (int row in rows) nnz += features.Offsets[row + 1] - features.Offsets[row];
        if (_values.Length < nnz)
        {
            int capacity = Math.Max(nnz, 2 * _values.Length);
            _values = new float[capacity];
            _indices = new int[capacity];
        }
        int at = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            int start = features.Offsets[rows[i]], count = features.Offsets[rows[i] + 1] - start;
            _offsets[i] = at;
            features.Values.AsSpan(start, count).CopyTo(_values.AsSpan(at));
            features.Indices.AsSpan(start, count).CopyTo(_indices.AsSpan(at));
            at += count;
        }
        _offsets[rows.Length] = at;
        _rows = rows.Length;
    }

    /// <summary>The loaded values, to standardise in place.</summary>
    public Span<float> Values => _values.AsSpan(0, _offsets[_rows]);

    /// <summary>The loaded values' columns.</summary>
    public ReadOnlySpan<int> Indices => _indices.AsSpan(0, _offsets[_rows]);

    /// <summary>Builds <see cref="Columns"/> from the loaded rows.</summary>
    public void Transpose() => Columns.Build(Rows);
}
