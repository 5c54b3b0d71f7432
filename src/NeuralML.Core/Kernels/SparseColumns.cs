namespace NeuralML.Kernels;

/// <summary>
/// The columns of a batch of <see cref="SparseRows"/> that hold a value, each with its (row, value) entries in row
/// order: the transpose that the weight gradient dW = Xᵀ·dY walks, so that each touched row of dW is one sum over
/// the batch's rows in a fixed order. Buffers grow to the largest batch seen and are then reused.
/// </summary>
internal sealed class SparseColumns
{
    private long[] _keys = [];
    private int[] _columns = [], _starts = [0], _rows = [];
    private float[] _values = [];

    /// <summary>Distinct columns present, increasing.</summary>
    public ReadOnlySpan<int> Columns => _columns.AsSpan(0, Count);

    /// <summary>(Count + 1): where each column's entries start.</summary>
    public ReadOnlySpan<int> Starts => _starts.AsSpan(0, Count + 1);

    /// <summary>Each entry's row in the batch, increasing within a column.</summary>
    public ReadOnlySpan<int> EntryRows => _rows.AsSpan(0, _starts[Count]);

    /// <summary>Each entry's value.</summary>
    public ReadOnlySpan<float> EntryValues => _values.AsSpan(0, _starts[Count]);

    /// <summary>How many distinct columns the last batch touched.</summary>
    public int Count { get; private set; }

    /// <summary>Transposes <paramref name="x"/>: O(nnz·log nnz), independent of the matrix's width.</summary>
    public void Build(in SparseRows x)
    {
        int nnz = x.NonZeros;
        if (_keys.Length < nnz)
        {
            int capacity = Math.Max(nnz, 2 * _keys.Length);
            _keys = new long[capacity];
            _rows = new int[capacity];
            _values = new float[capacity];
            _columns = new int[capacity];
            _starts = new int[capacity + 1];
        }
        // Column-major order of the entries: (column, position in the batch); a position grows with the row, so each
        // column's entries come out in row order, and the keys are distinct, so the (unstable) sort is deterministic.
        Span<long> keys = _keys.AsSpan(0, nnz);
        for (int k = 0; k < nnz; k++) keys[k] = ((long)x.Indices[k] << 32) | (uint)k;
        keys.Sort();
        ReadOnlySpan<int> offsets = x.Offsets;
        int count = 0;
        for (int e = 0; e < nnz; e++)
        {
            int column = (int)(keys[e] >> 32), k = (int)keys[e];
            if (count == 0 || _columns[count - 1] != column)
            {
                _columns[count] = column;
                _starts[count] = e;
                count++;
            }
            // Positions are not in order across columns: find the row by binary search on the offsets.
            _rows[e] = RowOf(offsets, k);
            _values[e] = x.Values[k];
        }
        _starts[count] = nnz;
        Count = count;
    }

    private static int RowOf(ReadOnlySpan<int> offsets, int position)
    {
        int low = 0, high = offsets.Length - 2;
        while (low < high)
        {
            int mid = (low + high + 1) >> 1;
            if (offsets[mid] <= position) low = mid;
            else high = mid - 1;
        }
        return low;
    }
}
