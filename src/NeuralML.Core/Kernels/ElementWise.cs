using System.Runtime.CompilerServices;

namespace NeuralML.Kernels;

/// <summary>
/// An element-wise operation over one or more buffers it holds: <see cref="Invoke{TVector}"/> processes the
/// <c>TVector.Count</c> elements that start at the given index, and must give each element the same bits
/// whatever the width.
/// </summary>
internal interface IElementWiseOperator
{
    void Invoke<TVector>(int index) where TVector : unmanaged, ISimdVector<TVector>;
}

/// <summary>
/// The one loop every element-wise kernel runs on: the widest vectors the machine has, then one value at a time for
/// the tail (a scalar tail keeps every element's arithmetic identical to the vector body's, which an overlapping last
/// vector would not for operations that update in place).
/// </summary>
internal static unsafe class ElementWise
{
    /// <summary>Elements per part when an operation is split across the worker pool (a multiple of every vector width).</summary>
    private const int MinPartLength = 1 << 15;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TOperator>(in TOperator op, int start, int end) where TOperator : struct, IElementWiseOperator
    {
        int i = start;
        if (SimdVector512.IsHardwareAccelerated)
        {
            for (; i <= end - SimdVector512.Count; i += SimdVector512.Count) op.Invoke<SimdVector512>(i);
        }
        else if (SimdVector256.IsHardwareAccelerated)
        {
            for (; i <= end - SimdVector256.Count; i += SimdVector256.Count) op.Invoke<SimdVector256>(i);
        }
        for (; i < end; i++) op.Invoke<SimdScalar>(i);
    }

    /// <summary>
    /// <see cref="Run"/> over [0, <paramref name="length"/>), split into contiguous parts on the worker pool when long
    /// enough: each element is computed alone, so the result is the same bits at any number of parts.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunParallel<TOperator>(in TOperator op, int length, int threads) where TOperator : unmanaged, IElementWiseOperator
    {
        int parts = Math.Clamp(length / MinPartLength, 1, Math.Max(1, threads));
        if (parts == 1)
        {
            Run(op, 0, length);
            return;
        }
        var job = new Job<TOperator> { Operator = op, Length = length, Parts = parts };
        WorkerPool.Shared.Run(parts, &RunPart<TOperator>, &job);
    }

    private struct Job<TOperator> where TOperator : unmanaged, IElementWiseOperator
    {
        public TOperator Operator;
        public int Length, Parts;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunPart<TOperator>(void* state, int part) where TOperator : unmanaged, IElementWiseOperator
    {
        ref Job<TOperator> job = ref Unsafe.AsRef<Job<TOperator>>(state);
        // Part boundaries on multiples of 64 floats keep every part's vectors aligned alike.
        int start = (int)((long)job.Length * part / job.Parts) & ~63;
        int end = part == job.Parts - 1 ? job.Length : (int)((long)job.Length * (part + 1) / job.Parts) & ~63;
        Run(job.Operator, start, end);
    }
}
