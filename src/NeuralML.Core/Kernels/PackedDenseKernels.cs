using System.Buffers;
using System.Runtime.CompilerServices;

namespace NeuralML.Kernels;

/// <summary>
/// Dense-layer products as one packed GEMM, C (=|+=) op(A)·op(B), on a register-blocked micro-kernel
/// (<typeparamref name="TKernel"/>). A is packed into panels of MR rows and B into panels of NR columns, so that the
/// micro-kernel reads both contiguously whatever the transposition; partial edge tiles go through a small buffer.
/// Tiles are shared among threads by B panel; every output value is computed by one thread in one fixed order, so
/// results are bit-identical at any thread count.
/// </summary>
internal sealed unsafe class PackedDenseKernels<TKernel> : IDenseKernels where TKernel : struct, IMicroKernel
{
    /// <summary>Below this many multiply-adds a product runs on one thread: waking a second costs more than it saves.</summary>
    private const long MinWorkPerThread = 1 << 16;

    private readonly int _threads;

    public PackedDenseKernels(int threads)
    {
        if (!TKernel.IsSupported) throw new PlatformNotSupportedException($"{typeof(TKernel).Name} is not supported on this machine.");
        _threads = Math.Max(1, threads);
    }

    public string Name => typeof(TKernel).Name.Replace("MicroKernel", "", StringComparison.Ordinal);

    public int Threads => _threads;

    public void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y,
        int rows, int inputs, int outputs)
    {
        DenseShape.Check(x, rows, inputs, nameof(x));
        DenseShape.Check(weights, outputs, inputs, nameof(weights));
        DenseShape.Check(y, rows, outputs, nameof(y));
        if (bias.Length < outputs) throw new ArgumentException("Bias is shorter than the number of outputs.", nameof(bias));
        fixed (float* px = x, pw = weights, py = y)
        {
            // Y (rows, outputs) = X (rows, inputs) · Wᵀ, where Wᵀ[k, n] = W[n, k].
            Multiply(rows, outputs, inputs, px, inputs, 1, pw, 1, inputs, py, outputs, accumulate: false);
        }
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = y.Slice(r * outputs, outputs);
            System.Numerics.Tensors.TensorPrimitives.Add(row, bias[..outputs], row);
        }
    }

    public void InputGradient(ReadOnlySpan<float> dY, ReadOnlySpan<float> weights, Span<float> dX,
        int rows, int inputs, int outputs)
    {
        DenseShape.Check(dY, rows, outputs, nameof(dY));
        DenseShape.Check(weights, outputs, inputs, nameof(weights));
        DenseShape.Check(dX, rows, inputs, nameof(dX));
        fixed (float* pdy = dY, pw = weights, pdx = dX)
        {
            // dX (rows, inputs) = dY (rows, outputs) · W (outputs, inputs).
            Multiply(rows, inputs, outputs, pdy, outputs, 1, pw, inputs, 1, pdx, inputs, accumulate: false);
        }
    }

    public void AccumulateWeightGradient(ReadOnlySpan<float> dY, ReadOnlySpan<float> x, Span<float> dWeights, Span<float> dBias,
        int rows, int inputs, int outputs)
    {
        DenseShape.Check(dY, rows, outputs, nameof(dY));
        DenseShape.Check(x, rows, inputs, nameof(x));
        DenseShape.Check(dWeights, outputs, inputs, nameof(dWeights));
        if (dBias.Length < outputs) throw new ArgumentException("Bias gradient is shorter than the number of outputs.", nameof(dBias));
        fixed (float* pdy = dY, px = x, pdw = dWeights)
        {
            // dW (outputs, inputs) += dYᵀ · X, where dYᵀ[m, k] = dY[k, m].
            Multiply(outputs, inputs, rows, pdy, 1, outputs, px, inputs, 1, pdw, inputs, accumulate: true);
        }
        for (int r = 0; r < rows; r++)
            System.Numerics.Tensors.TensorPrimitives.Add(dBias[..outputs], dY.Slice(r * outputs, outputs), dBias[..outputs]);
    }

    /// <summary>
    /// C[m, n] (=|+=) Σ_k A[m, k]·B[k, n] for m &lt; M, n &lt; N, where A[m, k] = a[m·aRow + k·aCol],
    /// B[k, n] = b[k·bRow + n·bCol] and C[m, n] = c[m·ldc + n].
    /// </summary>
    private void Multiply(int m, int n, int k, float* a, int aRow, int aCol, float* b, int bRow, int bCol, float* c, int ldc, bool accumulate)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate)
                for (int i = 0; i < m; i++) new Span<float>(c + (long)i * ldc, n).Clear();
            return;
        }
        int mr = TKernel.Rows, nr = TKernel.Columns;
        int rowPanels = (m + mr - 1) / mr, columnPanels = (n + nr - 1) / nr;
        float[] packedA = ArrayPool<float>.Shared.Rent(rowPanels * mr * k);
        float[] packedB = ArrayPool<float>.Shared.Rent(columnPanels * nr * k);
        try
        {
            fixed (float* pa = packedA, pb = packedB)
            {
                PackA(m, k, a, aRow, aCol, pa);
                PackB(n, k, b, bRow, bCol, pb);
                long work = (long)m * n * k;
                int threads = (int)Math.Clamp(work / MinWorkPerThread, 1, Math.Min(_threads, columnPanels));
                float* packedAPointer = pa, packedBPointer = pb;
                if (threads == 1)
                {
                    ComputePanels(0, columnPanels, m, n, k, packedAPointer, packedBPointer, c, ldc, accumulate);
                }
                else
                {
                    // Contiguous ranges of B panels per thread: a fixed split, so the same tiles go together at any count.
                    Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                    {
                        int first = (int)((long)columnPanels * t / threads), last = (int)((long)columnPanels * (t + 1) / threads);
                        ComputePanels(first, last, m, n, k, packedAPointer, packedBPointer, c, ldc, accumulate);
                    });
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packedA);
            ArrayPool<float>.Shared.Return(packedB);
        }
    }

    private static void ComputePanels(int firstColumnPanel, int lastColumnPanel, int m, int n, int k, float* packedA, float* packedB,
        float* c, int ldc, bool accumulate)
    {
        int mr = TKernel.Rows, nr = TKernel.Columns;
        float* tile = stackalloc float[mr * nr];
        for (int q = firstColumnPanel; q < lastColumnPanel; q++)
        {
            int n0 = q * nr, columns = Math.Min(nr, n - n0);
            float* panelB = packedB + (long)q * nr * k;
            for (int m0 = 0, p = 0; m0 < m; m0 += mr, p++)
            {
                int rows = Math.Min(mr, m - m0);
                float* panelA = packedA + (long)p * mr * k;
                float* target = c + (long)m0 * ldc + n0;
                if (rows == mr && columns == nr)
                {
                    TKernel.Run(k, ref *panelA, ref *panelB, ref *target, ldc, accumulate);
                    continue;
                }
                // An edge tile: compute the full tile into a buffer, then move only the valid part.
                for (int i = 0; i < mr * nr; i++) tile[i] = 0f;
                if (accumulate)
                    for (int i = 0; i < rows; i++)
                        for (int j = 0; j < columns; j++) tile[i * nr + j] = target[(long)i * ldc + j];
                TKernel.Run(k, ref *panelA, ref *panelB, ref *tile, nr, accumulate);
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < columns; j++) target[(long)i * ldc + j] = tile[i * nr + j];
            }
        }
    }

    /// <summary>Packs A into panels of MR rows: panel p holds, for each k, A[p·MR + i, k] for i &lt; MR (zero past M).</summary>
    [SkipLocalsInit]
    private static void PackA(int m, int k, float* a, int aRow, int aCol, float* packed)
    {
        int mr = TKernel.Rows;
        for (int m0 = 0; m0 < m; m0 += mr)
        {
            int rows = Math.Min(mr, m - m0);
            float* panel = packed + (long)m0 * k;
            for (int i = 0; i < mr; i++)
            {
                if (i >= rows)
                {
                    for (int p = 0; p < k; p++) panel[p * mr + i] = 0f;
                    continue;
                }
                float* source = a + (long)(m0 + i) * aRow;
                for (int p = 0; p < k; p++) panel[p * mr + i] = source[(long)p * aCol];
            }
        }
    }

    /// <summary>Packs B into panels of NR columns: panel q holds, for each k, B[k, q·NR + j] for j &lt; NR (zero past N).</summary>
    private static void PackB(int n, int k, float* b, int bRow, int bCol, float* packed)
    {
        int nr = TKernel.Columns;
        for (int n0 = 0; n0 < n; n0 += nr)
        {
            int columns = Math.Min(nr, n - n0);
            float* panel = packed + (long)n0 * k;
            if (bCol == 1)
            {
                // Row-major B: each k contributes a contiguous run of columns.
                for (int p = 0; p < k; p++)
                {
                    float* source = b + (long)p * bRow + n0;
                    float* target = panel + (long)p * nr;
                    int j = 0;
                    for (; j < columns; j++) target[j] = source[j];
                    for (; j < nr; j++) target[j] = 0f;
                }
                continue;
            }
            for (int j = 0; j < nr; j++)
            {
                if (j >= columns)
                {
                    for (int p = 0; p < k; p++) panel[(long)p * nr + j] = 0f;
                    continue;
                }
                float* source = b + (long)(n0 + j) * bCol;
                for (int p = 0; p < k; p++) panel[(long)p * nr + j] = source[(long)p * bRow];
            }
        }
    }
}
