namespace NeuralML.Kernels;

/// <summary>
/// A register-blocked GEMM micro-kernel: one Rows × Columns (MR × NR) tile of C = A·B, with A broadcast one
/// value at a time and B loaded as NR-wide rows.
/// </summary>
internal interface IMicroKernel
{
    /// <summary>Rows of the register tile (MR).</summary>
    static abstract int Rows { get; }

    /// <summary>Columns of the register tile (NR).</summary>
    static abstract int Columns { get; }

    static abstract bool IsSupported { get; }

    /// <summary>
    /// Computes one full MR×NR tile, C[i, j] = Σ_p A[i, p]·B[p, j] for p &lt; <paramref name="depth"/>, and stores
    /// all of it at <paramref name="c"/> (row stride <paramref name="ldc"/>). A[i, p] = a[i·aRow + p·aCol] is read in
    /// place, with rows from <paramref name="rows"/> on repeating the last valid row; B[p, 0..NR) is NR contiguous
    /// values at b + p·ldb, packed or straight from a row-major matrix. A non-null <paramref name="bias"/> (NR values)
    /// is added to every row of the tile before it is stored; with <paramref name="relu"/>, max(0, ·) is applied then too.
    /// </summary>
    static abstract unsafe void Run(int depth, float* a, nint aRow, nint aCol, int rows, float* b, nint ldb, float* c, nint ldc, float* bias, bool relu);
}
