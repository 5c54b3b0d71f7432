namespace NeuralML.Kernels;

/// <summary>
/// Rows of a sparse matrix in CSR form: row r holds <c>values[k]</c> at column <c>indices[k]</c> for k in
/// [<c>offsets[r]</c>, <c>offsets[r + 1]</c>), columns strictly increasing within a row. <c>offsets</c> has one more
/// entry than there are rows and starts at 0.
/// </summary>
internal readonly ref struct SparseRows
{
    public SparseRows(ReadOnlySpan<float> values, ReadOnlySpan<int> indices, ReadOnlySpan<int> offsets, int columns)
    {
        if (offsets.Length == 0) throw new ArgumentException("CSR offsets need at least one entry.", nameof(offsets));
        if (indices.Length < offsets[^1] || values.Length < offsets[^1]) throw new ArgumentException("CSR values and indices are shorter than the offsets say.", nameof(values));
        Values = values;
        Indices = indices;
        Offsets = offsets;
        Columns = columns;
    }

    /// <summary>(non-zeros)</summary>
    public ReadOnlySpan<float> Values { get; }

    /// <summary>(non-zeros): each value's column.</summary>
    public ReadOnlySpan<int> Indices { get; }

    /// <summary>(rows + 1): where each row's values start.</summary>
    public ReadOnlySpan<int> Offsets { get; }

    public int Rows => Offsets.Length - 1;

    /// <summary>The matrix's width (every index is below it).</summary>
    public int Columns { get; }

    /// <summary>Stored values of all the rows.</summary>
    public int NonZeros => Offsets[^1];

    /// <summary>The first <paramref name="rows"/> rows.</summary>
    public SparseRows Take(int rows) => new(Values, Indices, Offsets[..(rows + 1)], Columns);
}
