using System.Runtime.CompilerServices;

namespace NeuralML.Kernels;

/// <summary>The forward product of a few rows (batch-1 prediction): W streamed into register accumulators.</summary>
internal sealed unsafe partial class PackedDenseKernels<TKernel, TVector>
{
    /// <summary>Columns one pass over x covers: eight vector accumulators stay in registers.</summary>
    private static int BlockColumns => 8 * TVector.Count;

    /// <summary>
    /// One row of the forward product, y = f(x·W + b), streaming W row by row into vector accumulators. Each
    /// output is the same FMA chain over k as in the micro-kernel, the bias is added after it, and the activation is
    /// applied on the same NR-column segments, so a row's result is bit-identical to the batched product's. Rows of W
    /// whose input is zero are skipped: an FMA with x = 0 leaves its (never negative-zero) sum unchanged for finite
    /// weights, and sparse or one-hot tabular rows read far less of W.
    /// </summary>
    [SkipLocalsInit] // the non-zero list is written before it is read: no need to clear it on every row
    private void ForwardRow(float* x, float* weights, float* bias, float* y, int inputs, int outputs, Activation activation)
    {
        // The inputs that are not zero, in order, found once without a branch per input: the loops over them then have
        // no data-dependent branch to mispredict (half of an image's pixels, and of a ReLU layer's outputs, are zero).
        int[]? rented = inputs > MaxStackInputs ? System.Buffers.ArrayPool<int>.Shared.Rent(inputs) : null;
        int* stack = stackalloc int[rented is null ? inputs : 0];
        fixed (int* pooled = rented)
        {
            int* nonzero = rented is null ? stack : pooled;
            int count = 0;
            for (int k = 0; k < inputs; k++)
            {
                nonzero[count] = k;
                count += x[k] != 0f ? 1 : 0;
            }
            // Wide layers: the columns are split among threads, each streaming its part of W (which then stays in its L2).
            int parts = (long)inputs * outputs >= MinWorkPerThread ? Math.Min(_threads, outputs / BlockColumns) : 1;
            if (parts > 1)
            {
                var job = new RowJob { X = x, Nonzero = nonzero, Count = count, Weights = weights, Bias = bias, Y = y, Outputs = outputs, Blocks = outputs / BlockColumns, Parts = parts };
                WorkerPool.Shared.Run(parts, &RunRowPart, &job);
            }
            else
            {
                ForwardRowColumns(x, nonzero, count, weights, bias, y, outputs, 0, outputs);
            }
        }
        if (rented is not null) System.Buffers.ArrayPool<int>.Shared.Return(rented);
        if (activation == Activation.Identity) return;
        for (int start = 0; start < outputs; start += TKernel.Columns)
            ActivationKernels.Apply(activation, new Span<float>(y + start, Math.Min(TKernel.Columns, outputs - start)));
    }

    /// <summary>Inputs up to this many keep their non-zero list on the stack.</summary>
    private const int MaxStackInputs = 4096;

    private struct RowJob
    {
        public float* X, Weights, Bias, Y;
        public int* Nonzero;
        public int Count, Outputs, Blocks, Parts;
    }

    private static void RunRowPart(void* state, int part)
    {
        ref RowJob job = ref *(RowJob*)state;
        int start = (int)((long)job.Blocks * part / job.Parts) * BlockColumns;
        int end = part == job.Parts - 1 ? job.Outputs : (int)((long)job.Blocks * (part + 1) / job.Parts) * BlockColumns;
        ForwardRowColumns(job.X, job.Nonzero, job.Count, job.Weights, job.Bias, job.Y, job.Outputs, start, end);
    }

    /// <summary>Columns [start, end) of one row of the forward product, before the activation, over the row's <paramref name="count"/> non-zero inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRowColumns(float* x, int* nonzero, int count, float* weights, float* bias, float* y, int outputs, int start, int end)
    {
        int n0 = start;
        // With 512-bit vectors (AVX-512: 32 registers) sixteen accumulators fit: one pass over the non-zeros then covers
        // 256 columns and reads each needed row of W as one contiguous kilobyte, which the prefetcher follows.
        if (TVector.Count == 16)
            for (; n0 + 2 * BlockColumns <= end; n0 += 2 * BlockColumns) ForwardRowWideBlock(x, nonzero, count, weights + n0, bias + n0, y + n0, outputs);
        for (; n0 + BlockColumns <= end; n0 += BlockColumns) ForwardRowBlock(x, nonzero, count, weights + n0, bias + n0, y + n0, outputs);
        // The same FMA chain one vector, then one value, at a time.
        for (; n0 + TVector.Count <= end; n0 += TVector.Count) ForwardRowVector<TVector>(x, nonzero, count, weights + n0, bias + n0, y + n0, outputs);
        for (; n0 < end; n0++) ForwardRowVector<SimdScalar>(x, nonzero, count, weights + n0, bias + n0, y + n0, outputs);
    }

    /// <summary>Eight vectors of columns: eight independent FMA chains hide the FMA latency.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardRowBlock(float* x, int* nonzero, int count, float* weights, float* bias, float* y, int outputs)
    {
        int width = TVector.Count;
        TVector c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int i = 0; i < count; i++)
        {
            int k = nonzero[i];
            float* w = weights + (nint)k * outputs;
            TVector xk = TVector.Broadcast(x[k]);
            c0 = TVector.FusedMultiplyAdd(xk, TVector.Load(w), c0);
            c1 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + width), c1);
            c2 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 2 * width), c2);
            c3 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 3 * width), c3);
            c4 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 4 * width), c4);
            c5 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 5 * width), c5);
            c6 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 6 * width), c6);
            c7 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 7 * width), c7);
        }
        (c0 + TVector.Load(bias)).Store(y);
        (c1 + TVector.Load(bias + width)).Store(y + width);
        (c2 + TVector.Load(bias + 2 * width)).Store(y + 2 * width);
        (c3 + TVector.Load(bias + 3 * width)).Store(y + 3 * width);
        (c4 + TVector.Load(bias + 4 * width)).Store(y + 4 * width);
        (c5 + TVector.Load(bias + 5 * width)).Store(y + 5 * width);
        (c6 + TVector.Load(bias + 6 * width)).Store(y + 6 * width);
        (c7 + TVector.Load(bias + 7 * width)).Store(y + 7 * width);
    }

    /// <summary>Sixteen vectors of columns (512-bit vectors only: the accumulators need 16 of the 32 registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardRowWideBlock(float* x, int* nonzero, int count, float* weights, float* bias, float* y, int outputs)
    {
        int width = TVector.Count;
        TVector c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        TVector c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        for (int i = 0; i < count; i++)
        {
            int k = nonzero[i];
            float* w = weights + (nint)k * outputs;
            TVector xk = TVector.Broadcast(x[k]);
            c0 = TVector.FusedMultiplyAdd(xk, TVector.Load(w), c0);
            c1 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + width), c1);
            c2 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 2 * width), c2);
            c3 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 3 * width), c3);
            c4 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 4 * width), c4);
            c5 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 5 * width), c5);
            c6 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 6 * width), c6);
            c7 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 7 * width), c7);
            c8 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 8 * width), c8);
            c9 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 9 * width), c9);
            c10 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 10 * width), c10);
            c11 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 11 * width), c11);
            c12 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 12 * width), c12);
            c13 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 13 * width), c13);
            c14 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 14 * width), c14);
            c15 = TVector.FusedMultiplyAdd(xk, TVector.Load(w + 15 * width), c15);
        }
        (c0 + TVector.Load(bias)).Store(y);
        (c1 + TVector.Load(bias + width)).Store(y + width);
        (c2 + TVector.Load(bias + 2 * width)).Store(y + 2 * width);
        (c3 + TVector.Load(bias + 3 * width)).Store(y + 3 * width);
        (c4 + TVector.Load(bias + 4 * width)).Store(y + 4 * width);
        (c5 + TVector.Load(bias + 5 * width)).Store(y + 5 * width);
        (c6 + TVector.Load(bias + 6 * width)).Store(y + 6 * width);
        (c7 + TVector.Load(bias + 7 * width)).Store(y + 7 * width);
        (c8 + TVector.Load(bias + 8 * width)).Store(y + 8 * width);
        (c9 + TVector.Load(bias + 9 * width)).Store(y + 9 * width);
        (c10 + TVector.Load(bias + 10 * width)).Store(y + 10 * width);
        (c11 + TVector.Load(bias + 11 * width)).Store(y + 11 * width);
        (c12 + TVector.Load(bias + 12 * width)).Store(y + 12 * width);
        (c13 + TVector.Load(bias + 13 * width)).Store(y + 13 * width);
        (c14 + TVector.Load(bias + 14 * width)).Store(y + 14 * width);
        (c15 + TVector.Load(bias + 15 * width)).Store(y + 15 * width);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardRowVector<TColumns>(float* x, int* nonzero, int count, float* w, float* bias, float* y, int outputs)
        where TColumns : unmanaged, ISimdVector<TColumns>
    {
        TColumns c = default;
        for (int i = 0; i < count; i++)
        {
            int k = nonzero[i];
            c = TColumns.FusedMultiplyAdd(TColumns.Broadcast(x[k]), TColumns.Load(w + (nint)k * outputs), c);
        }
        (c + TColumns.Load(bias)).Store(y);
    }
}
