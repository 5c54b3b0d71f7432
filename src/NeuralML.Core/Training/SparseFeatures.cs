using NeuralML.Kernels;

namespace NeuralML.Training;

/// <summary>
/// A training set's features in CSR form: row r holds <see cref="Values"/>[k] at column <see cref="Indices"/>[k] for
/// k in [<see cref="Offsets"/>[r], <see cref="Offsets"/>[r + 1]), columns strictly increasing within a row.
/// </summary>
internal sealed class SparseFeatures
{
    /// <param name="values">(non-zeros)</param>
    /// <param name="indices">(non-zeros), each in [0, <paramref name="columns"/>), increasing within a row</param>
    /// <param name="offsets">(rows + 1), from 0 to the number of non-zeros</param>
    /// <param name="columns">the width of a row</param>
    public SparseFeatures(float[] values, int[] indices, int[] offsets, int columns)
    {
        if (offsets.Length == 0 || offsets[0] != 0) throw new ArgumentException("CSR offsets start at 0.", nameof(offsets));
        int nnz = offsets[^1];
        if (values.Length < nnz || indices.Length < nnz) throw new ArgumentException("CSR values and indices are shorter than the offsets say.", nameof(values));
        for (int r = 0; r + 1 < offsets.Length; r++)
        {
            if (offsets[r + 1] < offsets[r]) throw new ArgumentException($"CSR offsets decrease at row {r}.", nameof(offsets));
            for (int k = offsets[r]; k < offsets[r + 1]; k++)
                if ((uint)indices[k] >= (uint)columns || (k > offsets[r] && indices[k] <= indices[k - 1]))
                    throw new ArgumentException($"Row {r}'s column indices are not increasing within [0, {columns}).", nameof(indices));
        }
        Values = values;
        Indices = indices;
        Offsets = offsets;
        Columns = columns;
    }

    public float[] Values { get; }

    public int[] Indices { get; }

    public int[] Offsets { get; }

    public int Columns { get; }

    public int RowCount => Offsets.Length - 1;

    public long NonZeros => Offsets[^1];

    /// <summary>The fraction of values stored: non-zeros / (rows · columns).</summary>
    public double Density => RowCount == 0 ? 0 : (double)NonZeros / ((double)RowCount * Columns);

    /// <summary>All the rows as a <see cref="SparseRows"/>.</summary>
    public SparseRows AsRows() => new(Values, Indices, Offsets, Columns);

    /// <summary>Writes row <paramref name="row"/> densely into <paramref name="destination"/> (Columns values).</summary>
    public void CopyDense(int row, Span<float> destination)
    {
        destination[..Columns].Clear();
        for (int k = Offsets[row]; k < Offsets[row + 1]; k++) destination[Indices[k]] = Values[k];
    }
}
