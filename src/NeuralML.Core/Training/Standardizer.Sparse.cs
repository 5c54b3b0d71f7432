namespace NeuralML.Training;

/// <summary>
/// Sparse features are scaled, not centred: x ← x/std per column, so that a zero stays zero and the rows stay sparse
/// (centring would give every row a value in every column). The shift is 0, so folding into the first layer
/// (<see cref="FoldInto"/>) divides its weight rows by the scales and leaves its biases exactly as they are.
/// </summary>
internal sealed partial class Standardizer
{
    /// <summary>
    /// Per-column shift 0 and scale the standard deviation over all rows (zeros included; 1 for a constant column, as
    /// for dense features), from the stored values alone: Σ(x − mean)² = Σ_stored (x − mean)² + (rows − stored)·mean².
    /// </summary>
    private static (float[] Shift, float[] Scale) SparseFeatureStatistics(SparseFeatures data)
    {
        int width = data.Columns, rows = data.RowCount;
        var sum = new double[width];
        var stored = new int[width];
        float[] values = data.Values;
        int[] indices = data.Indices;
        long nnz = data.NonZeros;
        for (long k = 0; k < nnz; k++)
        {
            sum[indices[k]] += values[k];
            stored[indices[k]]++;
        }
        var squares = new double[width];
        for (long k = 0; k < nnz; k++)
        {
            double d = values[k] - sum[indices[k]] / rows;
            squares[indices[k]] += d * d;
        }
        var scale = new float[width];
        for (int j = 0; j < width; j++)
        {
            double mean = sum[j] / rows;
            double sd = Math.Sqrt((squares[j] + (rows - stored[j]) * mean * mean) / rows);
            scale[j] = sd > 1e-6 * Math.Max(1, Math.Abs(mean)) ? (float)sd : 1f;
        }
        return (new float[width], scale);
    }

    /// <summary>x ← x/scale for stored values <paramref name="values"/> at columns <paramref name="indices"/> (shift is 0 for sparse data).</summary>
    public void ApplyToSparse(Span<float> values, ReadOnlySpan<int> indices)
    {
        if (_featureScale is null) return;
        for (int k = 0; k < values.Length; k++) values[k] /= _featureScale[indices[k]];
    }
}
