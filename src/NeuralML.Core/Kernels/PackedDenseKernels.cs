using System.Buffers;
using System.Runtime.CompilerServices;

namespace NeuralML.Kernels;

/// <summary>
/// Dense-layer products as one GEMM, C = A·B, on a register-blocked micro-kernel (<typeparamref name="TKernel"/>).
/// The micro-kernel broadcasts A in place (any strides) and loads B as NR-wide rows, so a row-major B is read where it
/// lies; only a transposed B (the input gradient's weightsᵀ) and the last, partial column panel are packed, one
/// panel at a time by the thread that uses it. The forward product adds the bias in the micro-kernel's store and
/// applies the activation to each tile while it is in L1. Products of a few rows stream the weights instead, on vectors
/// of <typeparamref name="TVector"/>, the micro-kernel's width.
/// Threads take fixed, contiguous ranges of column panels; every output value is one FMA chain over k in order, so
/// results are bit-identical at any thread count, and a row's result does not depend on the other rows in the batch.
/// </summary>
internal sealed unsafe partial class PackedDenseKernels<TKernel, TVector> : DenseKernels
    where TKernel : struct, IMicroKernel
    where TVector : unmanaged, ISimdVector<TVector>
{
    /// <summary>Below this many multiply-adds per thread a product runs on fewer threads: waking one costs more than it saves.</summary>
    private const long MinWorkPerThread = 1 << 20;

    /// <summary>With more rows than this, row-major B panels are packed too (their copy is shared by many row panels).</summary>
    private const int PackRowMajorAboveRows = 24;

    private readonly int _threads;

    public PackedDenseKernels(int threads)
    {
        if (!TKernel.IsSupported) throw new PlatformNotSupportedException($"{typeof(TKernel).Name} is not supported on this machine.");
        _threads = Math.Max(1, threads);
    }

    public override string Name => typeof(TKernel).Name.Replace("MicroKernel", "", StringComparison.Ordinal);

    private protected override SparseKernels CreateSparse() => new SparseKernels<TVector>(_threads);

    public override DenseKernels WithThreads(int threads) => Math.Max(1, threads) == _threads ? this : new PackedDenseKernels<TKernel, TVector>(threads);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void ForwardCore(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y,
        int rows, int inputs, int outputs, Activation activation)
    {
        fixed (float* px = x, pw = weights, pb = bias, py = y)
        {
            if (rows < TKernel.Rows)
            {
                // A few rows (batch-1 inference): a tile of MR rows would mostly compute padding.
                for (int r = 0; r < rows; r++) ForwardRow(px + (nint)r * inputs, pw, pb, py + (nint)r * outputs, inputs, outputs, activation);
                return;
            }
            // Y (rows, outputs) = X (rows, inputs) · W (inputs, outputs) + b.
            Run(new Product(rows, outputs, inputs, px, inputs, 1, pw, outputs, 1, py, outputs, pb, activation));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void InputGradientCore(ReadOnlySpan<float> dY, ReadOnlySpan<float> weights, Span<float> dX, int rows, int inputs, int outputs)
    {
        fixed (float* pdy = dY, pw = weights, pdx = dX)
        {
            // dX (rows, inputs) = dY (rows, outputs) · Wᵀ, where Wᵀ[o, i] = W[i, o].
            Run(new Product(rows, inputs, outputs, pdy, outputs, 1, pw, 1, outputs, pdx, inputs, null, Activation.Identity));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void WeightGradientCore(ReadOnlySpan<float> dY, ReadOnlySpan<float> x, Span<float> dWeights, Span<float> dBias,
        int rows, int inputs, int outputs)
    {
        fixed (float* pdy = dY, px = x, pdw = dWeights)
        {
            // dW (inputs, outputs) = Xᵀ · dY, where Xᵀ[i, r] = X[r, i].
            Run(new Product(inputs, outputs, rows, px, 1, inputs, pdy, outputs, 1, pdw, outputs, null, Activation.Identity));
        }
        // Row by row, in order: the same sums at any thread count.
        dBias[..outputs].Clear();
        for (int r = 0; r < rows; r++)
            System.Numerics.Tensors.TensorPrimitives.Add(dBias[..outputs], dY.Slice(r * outputs, outputs), dBias[..outputs]);
    }

    /// <summary>
    /// C[m, n] = f(Σ_k A[m, k]·B[k, n] + bias[n]) for m &lt; M, n &lt; N, where A[m, k] = a[m·ARow + k·ACol],
    /// B[k, n] = b[k·BRow + n·BCol] and C[m, n] = c[m·Ldc + n].
    /// </summary>
    private readonly struct Product(int m, int n, int k, float* a, nint aRow, nint aCol, float* b, nint bRow, nint bCol,
        float* c, nint ldc, float* bias, Activation activation)
    {
        public readonly int M = m, N = n, K = k;
        public readonly float* A = a, B = b, C = c, Bias = bias;
        public readonly nint ARow = aRow, ACol = aCol, BRow = bRow, BCol = bCol, Ldc = ldc;
        public readonly Activation Activation = activation;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run(in Product p)
    {
        if (p.M == 0 || p.N == 0) return;
        int columnPanels = (p.N + TKernel.Columns - 1) / TKernel.Columns;
        long work = (long)p.M * p.N * Math.Max(p.K, 1);
        int threads = (int)Math.Clamp(work / MinWorkPerThread, 1, Math.Min(_threads, columnPanels));
        if (threads == 1)
        {
            ComputePanels(p, 0, columnPanels);
            return;
        }
        var job = new PanelJob { Product = p, Panels = columnPanels, Parts = threads };
        WorkerPool.Shared.Run(threads, &RunPart, &job);
    }

    /// <summary>Part t of a product: a fixed, contiguous range of column panels.</summary>
    private struct PanelJob
    {
        public Product Product;
        public int Panels, Parts;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunPart(void* state, int part)
    {
        ref PanelJob job = ref *(PanelJob*)state;
        ComputePanels(job.Product, (int)((long)job.Panels * part / job.Parts), (int)((long)job.Panels * (part + 1) / job.Parts));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ComputePanels(in Product p, int firstPanel, int lastPanel)
    {
        int mr = TKernel.Rows, nr = TKernel.Columns;
        float* tile = stackalloc float[mr * nr];
        float* paddedBias = stackalloc float[nr];
        // A row-major B is read in place when few row panels reuse it; otherwise each panel is copied once into a
        // contiguous buffer, which is far kinder to L1 than rows 4 KB apart (1024 outputs) and costs K·NR copies.
        bool packAll = p.BCol != 1 || p.M > PackRowMajorAboveRows;
        bool needsPacking = packAll || (long)lastPanel * nr > p.N;
        float[]? panelBuffer = needsPacking ? ArrayPool<float>.Shared.Rent(checked(Math.Max(p.K, 1) * nr)) : null;
        try
        {
            fixed (float* packed = panelBuffer)
            {
                for (int q = firstPanel; q < lastPanel; q++)
                {
                    int n0 = q * nr, columns = Math.Min(nr, p.N - n0);
                    float* panel;
                    nint ldb;
                    if (!packAll && columns == nr)
                    {
                        panel = p.B + n0;
                        ldb = p.BRow;
                    }
                    else
                    {
                        PackPanel(p, n0, columns, packed);
                        panel = packed;
                        ldb = nr;
                    }
                    float* bias = null;
                    if (p.Bias is not null)
                    {
                        if (columns == nr)
                        {
                            bias = p.Bias + n0;
                        }
                        else
                        {
                            for (int j = 0; j < nr; j++) paddedBias[j] = j < columns ? p.Bias[n0 + j] : 0f;
                            bias = paddedBias;
                        }
                    }
                    ComputePanel(p, panel, ldb, n0, columns, bias, tile);
                }
            }
        }
        finally
        {
            if (panelBuffer is not null) ArrayPool<float>.Shared.Return(panelBuffer);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ComputePanel(in Product p, float* panel, nint ldb, int n0, int columns, float* bias, float* tile)
    {
        int mr = TKernel.Rows, nr = TKernel.Columns;
        // ReLU is one max per vector in the micro-kernel's store; other activations run on each tile after it.
        bool fusedRelu = p.Activation == Activation.Relu;
        for (int m0 = 0; m0 < p.M; m0 += mr)
        {
            int rows = Math.Min(mr, p.M - m0);
            float* a = p.A + m0 * p.ARow;
            float* target = p.C + m0 * p.Ldc + n0;
            if (p.K == 0)
            {
                // No terms: the product is the bias (or zero), then the activation.
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < columns; j++) target[i * p.Ldc + j] = bias is null ? 0f : bias[j];
            }
            else if (rows == mr && columns == nr)
            {
                TKernel.Run(p.K, a, p.ARow, p.ACol, rows, panel, ldb, target, p.Ldc, bias, fusedRelu);
            }
            else
            {
                // An edge tile: compute the full tile into a buffer, then move only the valid part.
                TKernel.Run(p.K, a, p.ARow, p.ACol, rows, panel, ldb, tile, nr, bias, fusedRelu);
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < columns; j++) target[i * p.Ldc + j] = tile[i * nr + j];
            }
            if (p.Activation != Activation.Identity && !fusedRelu)
                for (int i = 0; i < rows; i++) ActivationKernels.Apply(p.Activation, new Span<float>(target + i * p.Ldc, columns));
        }
    }

    /// <summary>Packs B[0..K, n0..n0+NR) into K rows of NR contiguous values, zero past the last column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackPanel(in Product p, int n0, int columns, float* packed)
    {
        int nr = TKernel.Columns;
        if (p.BCol == 1)
        {
            for (int k = 0; k < p.K; k++)
            {
                float* source = p.B + k * p.BRow + n0;
                float* target = packed + k * nr;
                if (columns == nr)
                {
                    Buffer.MemoryCopy(source, target, nr * sizeof(float), nr * sizeof(float));
                    continue;
                }
                int j = 0;
                for (; j < columns; j++) target[j] = source[j];
                for (; j < nr; j++) target[j] = 0f;
            }
            return;
        }
        // Transposed B: read each column's K values contiguously, write them NR apart.
        for (int j = 0; j < nr; j++)
        {
            float* target = packed + j;
            if (j >= columns)
            {
                for (int k = 0; k < p.K; k++) target[k * nr] = 0f;
                continue;
            }
            float* source = p.B + (n0 + j) * p.BCol;
            for (int k = 0; k < p.K; k++) target[k * nr] = source[k * p.BRow];
        }
    }
}
