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
    /// The crossover measured on the kernels (benchmarks/NeuralML.Benchmarks, <c>--sparse-crossover</c>): the sparse
    /// forward and weight-gradient products of a batch of 32 rows into 128 units are as fast as the packed GEMMs at
    /// about this density; below it sparse wins, and the lazy optimizer step wins more.
    /// </summary>
    public const double MaxDensity = 0.05;

    /// <summary>Whether <paramref name="nonZeros"/> values in <paramref name="rows"/> rows of <paramref name="columns"/> slots are kept sparse.</summary>
    public static bool IsSparse(long rows, int columns, long nonZeros)
        => columns >= MinColumns && rows > 0 && nonZeros <= MaxDensity * rows * columns;
}
