using System.Runtime.CompilerServices;

namespace NeuralML.Kernels;

/// <summary>
/// The first layer's products when its input is sparse (CSR, <see cref="SparseRows"/>), with weights stored (inputs,
/// outputs) row-major as in <see cref="DenseKernels"/>: the forward product Y = X·W + b adds, for each stored value,
/// that value times one row of W to the output row, and the weight gradient dW = Xᵀ·dY writes, for each column the
/// batch touches (<see cref="SparseColumns"/>), the sum of its values times rows of dY. Both are one operation,
/// C[t(i), :] = Σ_e v_e·B[j_e, :] over a run of entries e, vectorised over the output columns; rows of C are split
/// across threads in fixed ranges and every output value is one FMA chain over its entries in order, so the results
/// do not depend on the thread count. The forward chain starts at 0 and adds the bias last, as the packed dense
/// kernels do, so a sparse row gives the dense product's bits on those paths (a zero adds exactly nothing to an FMA chain).
/// The first layer needs no input gradient, so there is none.
/// </summary>
internal abstract class SparseKernels
{
    /// <summary>The kernels of <paramref name="path"/> (a <see cref="DenseKernels.Supported"/> name; default <see cref="DenseKernels.ChosenPath"/>) on at most <paramref name="threads"/> threads.</summary>
    public static SparseKernels Create(int threads, string? path = null) => (path ?? DenseKernels.ChosenPath) switch
    {
        "Vector512" => new SparseKernels<SimdVector512>(threads),
        "Vector256" => new SparseKernels<SimdVector256>(threads),
        "Portable" => new SparseKernels<SimdScalar>(1),
        string other => throw new ArgumentException($"{DenseKernels.EnvironmentVariable} is '{other}'; expected one of {string.Join(", ", DenseKernels.Supported)}.", nameof(path)),
    };

    /// <summary>y = x·weights + bias: x (rows, inputs) sparse, weights (inputs, outputs), y (rows, outputs) overwritten.</summary>
    public void Forward(in SparseRows x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y, int inputs, int outputs)
    {
        if (x.Columns != inputs) throw new ArgumentException($"x has {x.Columns} columns; the weights have {inputs} rows.", nameof(x));
        if ((long)inputs * outputs > weights.Length) throw new ArgumentException("weights are smaller than (inputs, outputs).", nameof(weights));
        if (bias.Length < outputs) throw new ArgumentException("bias is shorter than outputs.", nameof(bias));
        if ((long)x.Rows * outputs > y.Length) throw new ArgumentException("y is smaller than (rows, outputs).", nameof(y));
        CheckIndices(x.Indices[..x.NonZeros], inputs, nameof(x));
        Run(x.Values, x.Indices, x.Offsets, [], weights, bias, y, x.Rows, outputs);
    }

    /// <summary>
    /// dWeights[j, :] = Σ_r x[r, j]·dY[r, :] for every column j that <paramref name="columns"/> (the batch's transpose)
    /// holds, in row order, overwritten; the other rows of dWeights are not touched. With <paramref name="compact"/>,
    /// dWeights is (columns.Count, outputs) instead and its row i is column <c>columns.Columns[i]</c>'s. dBias = the
    /// column sums of dY, row by row in order, overwritten.
    /// </summary>
    public void WeightGradient(SparseColumns columns, ReadOnlySpan<float> dY, Span<float> dWeights, Span<float> dBias, int rows, int inputs, int outputs,
        bool compact = false)
    {
        if ((long)rows * outputs > dY.Length) throw new ArgumentException("dY is smaller than (rows, outputs).", nameof(dY));
        if ((long)(compact ? columns.Count : inputs) * outputs > dWeights.Length) throw new ArgumentException("dWeights are smaller than their shape.", nameof(dWeights));
        if (dBias.Length < outputs) throw new ArgumentException("dBias is shorter than outputs.", nameof(dBias));
        CheckIndices(columns.EntryRows, rows, nameof(columns));
        CheckIndices(columns.Columns, inputs, nameof(columns));
        Run(columns.EntryValues, columns.EntryRows, columns.Starts, compact ? [] : columns.Columns, dY, [], dWeights, columns.Count, outputs);
        dBias[..outputs].Clear();
        for (int r = 0; r < rows; r++)
            System.Numerics.Tensors.TensorPrimitives.Add(dBias[..outputs], dY.Slice(r * outputs, outputs), dBias[..outputs]);
    }

    private static void CheckIndices(ReadOnlySpan<int> indices, int limit, string name)
    {
        foreach (int i in indices)
            if ((uint)i >= (uint)limit) throw new ArgumentOutOfRangeException(name, i, $"An index is outside [0, {limit}).");
    }

    /// <summary>
    /// For i in [0, count): C[t(i), :] = Σ_{e ∈ [starts[i], starts[i+1])} values[e]·B[indices[e], :] (+ bias), where t(i)
    /// is targets[i], or i when <paramref name="targets"/> is empty; the bias, when given, is added after the sum.
    /// </summary>
    private protected abstract void Run(ReadOnlySpan<float> values, ReadOnlySpan<int> indices, ReadOnlySpan<int> starts, ReadOnlySpan<int> targets,
        ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> c, int count, int n);
}

/// <summary><see cref="SparseKernels"/> on vectors of <typeparamref name="TVector"/>, then one value at a time for the last columns.</summary>
internal sealed unsafe class SparseKernels<TVector>(int threads) : SparseKernels where TVector : unmanaged, ISimdVector<TVector>
{
    /// <summary>Below this many multiply-adds per part a product runs on fewer threads: waking one costs more than it saves.</summary>
    private const long MinWorkPerPart = 1 << 16;

    private readonly int _threads = Math.Max(1, threads);

    private protected override void Run(ReadOnlySpan<float> values, ReadOnlySpan<int> indices, ReadOnlySpan<int> starts, ReadOnlySpan<int> targets,
        ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> c, int count, int n)
    {
        if (count == 0) return;
        long work = (long)(starts[count] - starts[0] + count) * n;
        int parts = (int)Math.Clamp(work / MinWorkPerPart, 1, _threads);
        fixed (float* pv = values, pb = b, pbias = bias, pc = c)
        fixed (int* pi = indices, ps = starts, pt = targets)
        {
            var job = new Job
            {
                Values = pv, Indices = pi, Starts = ps, Targets = targets.IsEmpty ? null : pt, B = pb, Bias = bias.IsEmpty ? null : pbias,
                C = pc, Count = count, N = n, Parts = parts,
            };
            if (parts == 1) RunRange(job, 0, count);
            else WorkerPool.Shared.Run(parts, &RunPart, &job);
        }
    }

    private struct Job
    {
        public float* Values, B, Bias, C;
        public int* Indices, Starts, Targets;
        public int Count, N, Parts;
    }

    private static void RunPart(void* state, int part)
    {
        ref Job job = ref Unsafe.AsRef<Job>(state);
        RunRange(job, (int)((long)job.Count * part / job.Parts), (int)((long)job.Count * (part + 1) / job.Parts));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRange(in Job job, int first, int end)
    {
        int n = job.N, width = TVector.Count;
        for (int i = first; i < end; i++)
        {
            int start = job.Starts[i], stop = job.Starts[i + 1];
            float* row = job.C + (nint)(job.Targets is null ? i : job.Targets[i]) * n;
            int o = 0;
            // Four vectors of outputs per pass over the entries keep the accumulators in registers.
            for (; o <= n - 4 * width; o += 4 * width)
            {
                TVector a0 = TVector.Broadcast(0f), a1 = a0, a2 = a0, a3 = a0;
                for (int e = start; e < stop; e++)
                {
                    TVector v = TVector.Broadcast(job.Values[e]);
                    float* source = job.B + (nint)job.Indices[e] * n + o;
                    a0 = TVector.FusedMultiplyAdd(v, TVector.Load(source), a0);
                    a1 = TVector.FusedMultiplyAdd(v, TVector.Load(source + width), a1);
                    a2 = TVector.FusedMultiplyAdd(v, TVector.Load(source + 2 * width), a2);
                    a3 = TVector.FusedMultiplyAdd(v, TVector.Load(source + 3 * width), a3);
                }
                if (job.Bias is not null)
                {
                    a0 += TVector.Load(job.Bias + o);
                    a1 += TVector.Load(job.Bias + o + width);
                    a2 += TVector.Load(job.Bias + o + 2 * width);
                    a3 += TVector.Load(job.Bias + o + 3 * width);
                }
                a0.Store(row + o);
                a1.Store(row + o + width);
                a2.Store(row + o + 2 * width);
                a3.Store(row + o + 3 * width);
            }
            for (; o <= n - width; o += width) Columns<TVector>(job, start, stop, row, o);
            // The tail one value at a time: the same FMA chain a vector lane runs, so every column gets the same bits.
            for (; o < n; o++) Columns<SimdScalar>(job, start, stop, row, o);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns<TWidth>(in Job job, int start, int stop, float* row, int o) where TWidth : unmanaged, ISimdVector<TWidth>
    {
        TWidth a = TWidth.Broadcast(0f);
        for (int e = start; e < stop; e++)
            a = TWidth.FusedMultiplyAdd(TWidth.Broadcast(job.Values[e]), TWidth.Load(job.B + (nint)job.Indices[e] * job.N + o), a);
        if (job.Bias is not null) a += TWidth.Load(job.Bias + o);
        a.Store(row + o);
    }
}
