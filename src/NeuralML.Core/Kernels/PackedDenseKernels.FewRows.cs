using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralML.Kernels;

/// <summary>The forward product of a few rows (batch-1 prediction): W streamed into register accumulators.</summary>
internal sealed unsafe partial class PackedDenseKernels<TKernel>
{
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
}
