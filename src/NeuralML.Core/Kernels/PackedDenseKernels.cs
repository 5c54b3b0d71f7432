using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralML.Kernels;

/// <summary>
/// Dense-layer products as one GEMM, C (=|+=) A·B, on a register-blocked micro-kernel (<typeparamref name="TKernel"/>).
/// The micro-kernel broadcasts A in place (any strides) and loads B as NR-wide rows, so a row-major B is read where it
/// lies; only a transposed B (the input gradient's weightsᵀ) and the last, partial column panel are packed, one
/// panel at a time by the thread that uses it. The forward product adds the bias in the micro-kernel's store and
/// applies the activation to each tile while it is in L1.
/// Threads take fixed, contiguous ranges of column panels; every output value is one FMA chain over k in order, so
/// results are bit-identical at any thread count, and a row's result does not depend on the other rows in the batch.
/// </summary>
internal sealed unsafe class PackedDenseKernels<TKernel> : IDenseKernels where TKernel : struct, IMicroKernel
{
    /// <summary>Below this many multiply-adds per thread a product runs on fewer threads: waking one costs more than it saves.</summary>
    private const long MinWorkPerThread = 1 << 17;

    /// <summary>With more rows than this, row-major B panels are packed too (their copy is shared by many row panels).</summary>
    private const int PackRowMajorAboveRows = 24;

    private readonly int _threads;

    public PackedDenseKernels(int threads)
    {
        if (!TKernel.IsSupported) throw new PlatformNotSupportedException($"{typeof(TKernel).Name} is not supported on this machine.");
        _threads = Math.Max(1, threads);
    }

    public string Name => typeof(TKernel).Name.Replace("MicroKernel", "", StringComparison.Ordinal);

    public void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y,
        int rows, int inputs, int outputs, Activation activation = Activation.Identity)
    {
        DenseShape.Check(x, rows, inputs, nameof(x));
        DenseShape.Check(weights, inputs, outputs, nameof(weights));
        DenseShape.Check(y, rows, outputs, nameof(y));
        if (bias.Length < outputs) throw new ArgumentException("Bias is shorter than the number of outputs.", nameof(bias));
        fixed (float* px = x, pw = weights, pb = bias, py = y)
        {
            if (rows < TKernel.Rows)
            {
                // A few rows (batch-1 inference): a tile of MR rows would mostly compute padding.
                for (int r = 0; r < rows; r++) ForwardRow(px + (nint)r * inputs, pw, pb, py + (nint)r * outputs, inputs, outputs, activation);
                return;
            }
            // Y (rows, outputs) = X (rows, inputs) · W (inputs, outputs) + b.
            var product = new Product(rows, outputs, inputs, px, inputs, 1, pw, outputs, 1, py, outputs, false, pb, activation);
            Run(product);
        }
    }

    public void InputGradient(ReadOnlySpan<float> dY, ReadOnlySpan<float> weights, Span<float> dX,
        int rows, int inputs, int outputs)
    {
        DenseShape.Check(dY, rows, outputs, nameof(dY));
        DenseShape.Check(weights, inputs, outputs, nameof(weights));
        DenseShape.Check(dX, rows, inputs, nameof(dX));
        fixed (float* pdy = dY, pw = weights, pdx = dX)
        {
            // dX (rows, inputs) = dY (rows, outputs) · Wᵀ, where Wᵀ[o, i] = W[i, o].
            Run(new Product(rows, inputs, outputs, pdy, outputs, 1, pw, 1, outputs, pdx, inputs, false, null, Activation.Identity));
        }
    }

    public void AccumulateWeightGradient(ReadOnlySpan<float> dY, ReadOnlySpan<float> x, Span<float> dWeights, Span<float> dBias,
        int rows, int inputs, int outputs, bool overwrite = false)
    {
        DenseShape.Check(dY, rows, outputs, nameof(dY));
        DenseShape.Check(x, rows, inputs, nameof(x));
        DenseShape.Check(dWeights, inputs, outputs, nameof(dWeights));
        if (dBias.Length < outputs) throw new ArgumentException("Bias gradient is shorter than the number of outputs.", nameof(dBias));
        fixed (float* pdy = dY, px = x, pdw = dWeights)
        {
            // dW (inputs, outputs) += Xᵀ · dY, where Xᵀ[i, r] = X[r, i].
            Run(new Product(inputs, outputs, rows, px, 1, inputs, pdy, outputs, 1, pdw, outputs, !overwrite, null, Activation.Identity));
        }
        // Row by row, in order: the same sums at any thread count.
        if (overwrite) dBias[..outputs].Clear();
        for (int r = 0; r < rows; r++)
            System.Numerics.Tensors.TensorPrimitives.Add(dBias[..outputs], dY.Slice(r * outputs, outputs), dBias[..outputs]);
    }

    /// <summary>
    /// One row of the forward product, y = f(x·W + b), streaming W row by row into vector accumulators. Each
    /// output is the same FMA chain over k as in the micro-kernel, the bias is added after it, and the activation is
    /// applied on the same NR-column segments, so a row's result is bit-identical to the batched product's. Rows of W
    /// whose input is zero are skipped: an FMA with x = 0 leaves its (never negative-zero) sum unchanged for finite
    /// weights, and sparse or one-hot tabular rows read far less of W.
    /// </summary>
    private void ForwardRow(float* x, float* weights, float* bias, float* y, int inputs, int outputs, Activation activation)
    {
        // Wide layers: the columns are split among threads, each streaming its part of W (which then stays in its L2).
        int block = TKernel.Columns == 32 ? 128 : 64;
        int parts = (long)inputs * outputs >= MinWorkPerThread ? Math.Min(_threads, outputs / block) : 1;
        if (parts > 1)
        {
            var job = new RowJob { X = x, Weights = weights, Bias = bias, Y = y, Inputs = inputs, Outputs = outputs, Blocks = outputs / block, Block = block, Parts = parts };
            WorkerPool.Shared.Run(parts, &RunRowPart, &job);
        }
        else
        {
            ForwardRowColumns(x, weights, bias, y, inputs, outputs, 0, outputs);
        }
        if (activation == Activation.Identity) return;
        for (int start = 0; start < outputs; start += TKernel.Columns)
            ActivationKernels.Apply(activation, new Span<float>(y + start, Math.Min(TKernel.Columns, outputs - start)));
    }

    private struct RowJob
    {
        public float* X, Weights, Bias, Y;
        public int Inputs, Outputs, Blocks, Block, Parts;
    }

    private static void RunRowPart(void* state, int part)
    {
        ref RowJob job = ref *(RowJob*)state;
        int start = (int)((long)job.Blocks * part / job.Parts) * job.Block;
        int end = part == job.Parts - 1 ? job.Outputs : (int)((long)job.Blocks * (part + 1) / job.Parts) * job.Block;
        ForwardRowColumns(job.X, job.Weights, job.Bias, job.Y, job.Inputs, job.Outputs, start, end);
    }

    /// <summary>Columns [start, end) of one row of the forward product, before the activation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRowColumns(float* x, float* weights, float* bias, float* y, int inputs, int outputs, int start, int end)
    {
        int n0 = start;
        // The same vector width as this kernel's micro-kernel, so a forced path is tested as it runs.
        if (TKernel.Columns == 32)
        {
            // Eight accumulators in registers: 8·16 columns per pass over x, streaming W rows.
            for (; n0 + 8 * 16 <= end; n0 += 8 * 16)
            {
                Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
                float* w = weights + n0;
                for (int k = 0; k < inputs; k++, w += outputs)
                {
                    if (x[k] == 0f) continue; // fma(0, w, c) = c for finite w: skipping it changes no bit
                    Vector512<float> xk = Vector512.Create(x[k]);
                    c0 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w), c0);
                    c1 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w + 16), c1);
                    c2 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w + 2 * 16), c2);
                    c3 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w + 3 * 16), c3);
                    c4 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w + 4 * 16), c4);
                    c5 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w + 5 * 16), c5);
                    c6 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w + 6 * 16), c6);
                    c7 = Vector512.FusedMultiplyAdd(xk, Vector512.Load(w + 7 * 16), c7);
                }
                float* b = bias + n0, o = y + n0;
                (c0 + Vector512.Load(b)).Store(o);
                (c1 + Vector512.Load(b + 16)).Store(o + 16);
                (c2 + Vector512.Load(b + 2 * 16)).Store(o + 2 * 16);
                (c3 + Vector512.Load(b + 3 * 16)).Store(o + 3 * 16);
                (c4 + Vector512.Load(b + 4 * 16)).Store(o + 4 * 16);
                (c5 + Vector512.Load(b + 5 * 16)).Store(o + 5 * 16);
                (c6 + Vector512.Load(b + 6 * 16)).Store(o + 6 * 16);
                (c7 + Vector512.Load(b + 7 * 16)).Store(o + 7 * 16);
            }
            for (; n0 + 16 <= end; n0 += 16)
            {
                Vector512<float> c0 = default;
                float* w = weights + n0;
                for (int k = 0; k < inputs; k++, w += outputs)
                    if (x[k] != 0f) c0 = Vector512.FusedMultiplyAdd(Vector512.Create(x[k]), Vector512.Load(w), c0);
                (c0 + Vector512.Load(bias + n0)).Store(y + n0);
            }
        }
        else
        if (Vector256.IsHardwareAccelerated)
        {
            // Eight accumulators in registers: 8·8 columns per pass over x, streaming W rows.
            for (; n0 + 8 * 8 <= end; n0 += 8 * 8)
            {
                Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
                float* w = weights + n0;
                for (int k = 0; k < inputs; k++, w += outputs)
                {
                    if (x[k] == 0f) continue; // fma(0, w, c) = c for finite w: skipping it changes no bit
                    Vector256<float> xk = Vector256.Create(x[k]);
                    c0 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w), c0);
                    c1 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w + 8), c1);
                    c2 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w + 2 * 8), c2);
                    c3 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w + 3 * 8), c3);
                    c4 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w + 4 * 8), c4);
                    c5 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w + 5 * 8), c5);
                    c6 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w + 6 * 8), c6);
                    c7 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w + 7 * 8), c7);
                }
                float* b = bias + n0, o = y + n0;
                (c0 + Vector256.Load(b)).Store(o);
                (c1 + Vector256.Load(b + 8)).Store(o + 8);
                (c2 + Vector256.Load(b + 2 * 8)).Store(o + 2 * 8);
                (c3 + Vector256.Load(b + 3 * 8)).Store(o + 3 * 8);
                (c4 + Vector256.Load(b + 4 * 8)).Store(o + 4 * 8);
                (c5 + Vector256.Load(b + 5 * 8)).Store(o + 5 * 8);
                (c6 + Vector256.Load(b + 6 * 8)).Store(o + 6 * 8);
                (c7 + Vector256.Load(b + 7 * 8)).Store(o + 7 * 8);
            }
            for (; n0 + 8 <= end; n0 += 8)
            {
                Vector256<float> c0 = default;
                float* w = weights + n0;
                for (int k = 0; k < inputs; k++, w += outputs)
                    if (x[k] != 0f) c0 = Vector256.FusedMultiplyAdd(Vector256.Create(x[k]), Vector256.Load(w), c0);
                (c0 + Vector256.Load(bias + n0)).Store(y + n0);
            }
        }
        for (int n = n0; n < end; n++)
        {
            float sum = 0f;
            for (int k = 0; k < inputs; k++)
                if (x[k] != 0f) sum = MathF.FusedMultiplyAdd(x[k], weights[(nint)k * outputs + n], sum);
            y[n] = sum + bias[n];
        }
    }

    /// <summary>
    /// C[m, n] (=|+=) f(Σ_k A[m, k]·B[k, n] + bias[n]) for m &lt; M, n &lt; N, where A[m, k] = a[m·ARow + k·ACol],
    /// B[k, n] = b[k·BRow + n·BCol] and C[m, n] = c[m·Ldc + n].
    /// </summary>
    private readonly struct Product(int m, int n, int k, float* a, nint aRow, nint aCol, float* b, nint bRow, nint bCol,
        float* c, nint ldc, bool accumulate, float* bias, Activation activation)
    {
        public readonly int M = m, N = n, K = k;
        public readonly float* A = a, B = b, C = c, Bias = bias;
        public readonly nint ARow = aRow, ACol = aCol, BRow = bRow, BCol = bCol, Ldc = ldc;
        public readonly bool Accumulate = accumulate;
        public readonly Activation Activation = activation;
    }

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
        bool fusedRelu = p.Activation == Activation.Relu && !p.Accumulate;
        for (int m0 = 0; m0 < p.M; m0 += mr)
        {
            int rows = Math.Min(mr, p.M - m0);
            float* a = p.A + m0 * p.ARow;
            float* target = p.C + m0 * p.Ldc + n0;
            if (p.K == 0)
            {
                // No terms: the product is the bias (or zero), then the activation; accumulation adds nothing.
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < columns; j++)
                        if (!p.Accumulate) target[i * p.Ldc + j] = bias is null ? 0f : bias[j];
            }
            else if (rows == mr && columns == nr)
            {
                TKernel.Run(p.K, a, p.ARow, p.ACol, rows, panel, ldb, target, p.Ldc, p.Accumulate, bias, fusedRelu);
            }
            else
            {
                // An edge tile: compute the full tile into a buffer, then move only the valid part.
                if (p.Accumulate)
                    for (int i = 0; i < rows; i++)
                        for (int j = 0; j < columns; j++) tile[i * nr + j] = target[i * p.Ldc + j];
                TKernel.Run(p.K, a, p.ARow, p.ACol, rows, panel, ldb, tile, nr, p.Accumulate, bias, fusedRelu);
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
