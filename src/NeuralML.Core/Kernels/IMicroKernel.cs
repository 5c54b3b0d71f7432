namespace NeuralML.Kernels;

/// <summary>
/// A register-blocked GEMM micro-kernel: C[0..Rows, 0..Columns] (=|+=) Σ_k A[·, k]·B[k, ·] over packed panels,
/// A packed as Rows values per k, B as Columns values per k.
/// </summary>
internal interface IMicroKernel
{
    /// <summary>Rows of the register tile (MR).</summary>
    static abstract int Rows { get; }

    /// <summary>Columns of the register tile (NR).</summary>
    static abstract int Columns { get; }

    static abstract bool IsSupported { get; }

    /// <summary>
    /// Computes one full MR×NR tile from <paramref name="depth"/> steps of the packed panels and stores it at
    /// <paramref name="c"/> (row stride <paramref name="ldc"/>), overwriting or adding to what is there.
    /// </summary>
    static abstract void Run(int depth, ref float packedA, ref float packedB, ref float c, int ldc, bool accumulate);
}
