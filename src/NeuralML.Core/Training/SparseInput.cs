namespace NeuralML.Training;

/// <summary>
/// The rule that decides whether a training set's features are kept sparse (CSR, the first layer on
/// <see cref="Kernels.SparseKernels"/>) or dense (the GEMM kernels): sparse when the feature vector has at least
/// <see cref="MinColumns"/> slots and the measured density, stored values / (rows · slots) over the whole column, is
/// at most <see cref="MaxDensity"/>. Which form the rows arrive in does not matter, only how many values are non-zero.
/// </summary>
internal static class SparseInput
{
    /// <summary>
    /// Below this width the dense products are fast whatever the density, and a dense copy is small: stay dense.
    /// </summary>
    public const int MinColumns = 256;

    /// <summary>
    /// Just under the crossover measured on the kernels (<c>benchmarks/sparse/NeuralML.Sparse --crossover 32 2000 128 1</c>,
    /// Vector512, one thread, 2026-11-30): the sparse forward and weight gradient of a batch of 32 rows of 2,000 slots
    /// into 128 units (transpose included) take 0.76 of the packed GEMMs' time at 5% and 2.1 times it at 10%, so the
    /// products break even near 6%. Below it sparse wins, and the lazy step (which touches only the batch's rows of the
    /// first layer) saves the optimizer's sweep over the rest besides.
    /// </summary>
    public const double MaxDensity = 0.05;

    /// <summary>Whether <paramref name="nonZeros"/> values in <paramref name="rows"/> rows of <paramref name="columns"/> slots are kept sparse.</summary>
    public static bool IsSparse(long rows, int columns, long nonZeros)
        => columns >= MinColumns && rows > 0 && nonZeros <= MaxDensity * rows * columns;
}
