using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralML.Kernels;

/// <summary>
/// Optimizer updates in one pass over the parameter buffer, on the widest vectors the machine has. Each lane does
/// exactly what the scalar tail does (no FMA contraction), so every path gives the same parameters.
/// </summary>
internal static unsafe class OptimizerKernels
{
    /// <summary>Parameters per part when an update is split across the worker pool (a multiple of every vector width).</summary>
    private const int MinPartLength = 1 << 15;

    /// <summary>
    /// <see cref="Adam"/> split into contiguous parts on the worker pool: element-wise, so the result is the same bits
    /// at any number of parts.
    /// </summary>
    public static void AdamParallel(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v,
        float stepSize, float beta1, float beta2, float epsilon, float rootCorrection2, int threads)
    {
        int parts = Math.Clamp(parameters.Length / MinPartLength, 1, Math.Max(1, threads));
        if (parts == 1)
        {
            Adam(parameters, gradients, m, v, stepSize, beta1, beta2, epsilon, rootCorrection2);
            return;
        }
        if (gradients.Length < parameters.Length || m.Length < parameters.Length || v.Length < parameters.Length)
            throw new ArgumentException("Optimizer buffers are shorter than the parameters.");
        fixed (float* p = parameters, g = gradients, pm = m, pv = v)
        {
            var job = new AdamJob
            {
                Parameters = p, Gradients = g, M = pm, V = pv, Length = parameters.Length, Parts = parts,
                StepSize = stepSize, Beta1 = beta1, Beta2 = beta2, Epsilon = epsilon, RootCorrection2 = rootCorrection2,
            };
            WorkerPool.Shared.Run(parts, &AdamPart, &job);
        }
    }

    private struct AdamJob
    {
        public float* Parameters, Gradients, M, V;
        public int Length, Parts;
        public float StepSize, Beta1, Beta2, Epsilon, RootCorrection2;
    }

    private static void AdamPart(void* state, int part)
    {
        ref AdamJob job = ref *(AdamJob*)state;
        // Part boundaries on multiples of 64 floats keep every part's vectors aligned alike.
        int start = (int)((long)job.Length * part / job.Parts) & ~63;
        int end = part == job.Parts - 1 ? job.Length : (int)((long)job.Length * (part + 1) / job.Parts) & ~63;
        int length = end - start;
        Adam(new Span<float>(job.Parameters + start, length), new ReadOnlySpan<float>(job.Gradients + start, length),
            new Span<float>(job.M + start, length), new Span<float>(job.V + start, length),
            job.StepSize, job.Beta1, job.Beta2, job.Epsilon, job.RootCorrection2);
    }

    /// <summary>
    /// Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − stepSize·m / (√v / rootCorrection2 + ε).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Adam(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v,
        float stepSize, float beta1, float beta2, float epsilon, float rootCorrection2)
    {
        int length = parameters.Length;
        if (gradients.Length < length || m.Length < length || v.Length < length) throw new ArgumentException("Optimizer buffers are shorter than the parameters.");
        int i = 0;
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            var b1 = Vector512.Create(beta1); var c1 = Vector512.Create(1f - beta1);
            var b2 = Vector512.Create(beta2); var c2 = Vector512.Create(1f - beta2);
            var step = Vector512.Create(stepSize); var root = Vector512.Create(rootCorrection2); var eps = Vector512.Create(epsilon);
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var g = Vector512.Create(gradients.Slice(i, Vector512<float>.Count));
                var mi = b1 * Vector512.Create(m.Slice(i, Vector512<float>.Count)) + c1 * g;
                var vi = b2 * Vector512.Create(v.Slice(i, Vector512<float>.Count)) + c2 * g * g;
                mi.CopyTo(m.Slice(i));
                vi.CopyTo(v.Slice(i));
                var pi = Vector512.Create(parameters.Slice(i, Vector512<float>.Count)) - step * mi / (Vector512.Sqrt(vi) / root + eps);
                pi.CopyTo(parameters.Slice(i));
            }
        }
        else if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            var b1 = Vector256.Create(beta1); var c1 = Vector256.Create(1f - beta1);
            var b2 = Vector256.Create(beta2); var c2 = Vector256.Create(1f - beta2);
            var step = Vector256.Create(stepSize); var root = Vector256.Create(rootCorrection2); var eps = Vector256.Create(epsilon);
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var g = Vector256.Create(gradients.Slice(i, Vector256<float>.Count));
                var mi = b1 * Vector256.Create(m.Slice(i, Vector256<float>.Count)) + c1 * g;
                var vi = b2 * Vector256.Create(v.Slice(i, Vector256<float>.Count)) + c2 * g * g;
                mi.CopyTo(m.Slice(i));
                vi.CopyTo(v.Slice(i));
                var pi = Vector256.Create(parameters.Slice(i, Vector256<float>.Count)) - step * mi / (Vector256.Sqrt(vi) / root + eps);
                pi.CopyTo(parameters.Slice(i));
            }
        }
        for (; i < length; i++)
        {
            float g = gradients[i];
            float mi = beta1 * m[i] + (1f - beta1) * g;
            float vi = beta2 * v[i] + (1f - beta2) * g * g;
            m[i] = mi;
            v[i] = vi;
            parameters[i] -= stepSize * mi / (MathF.Sqrt(vi) / rootCorrection2 + epsilon);
        }
    }

    /// <summary>SGD with momentum μ: v ← μv + g, then p ← p − η·v, or with Nesterov p ← p − η(g + μv).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sgd(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> velocity, float learningRate, float momentum, bool nesterov)
    {
        int length = parameters.Length;
        if (gradients.Length < length || velocity.Length < length) throw new ArgumentException("Optimizer buffers are shorter than the parameters.");
        int i = 0;
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            var mu = Vector512.Create(momentum); var lr = Vector512.Create(learningRate);
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var g = Vector512.Create(gradients.Slice(i, Vector512<float>.Count));
                var vi = mu * Vector512.Create(velocity.Slice(i, Vector512<float>.Count)) + g;
                vi.CopyTo(velocity.Slice(i));
                var pi = Vector512.Create(parameters.Slice(i, Vector512<float>.Count)) - lr * (nesterov ? g + mu * vi : vi);
                pi.CopyTo(parameters.Slice(i));
            }
        }
        else if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            var mu = Vector256.Create(momentum); var lr = Vector256.Create(learningRate);
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var g = Vector256.Create(gradients.Slice(i, Vector256<float>.Count));
                var vi = mu * Vector256.Create(velocity.Slice(i, Vector256<float>.Count)) + g;
                vi.CopyTo(velocity.Slice(i));
                var pi = Vector256.Create(parameters.Slice(i, Vector256<float>.Count)) - lr * (nesterov ? g + mu * vi : vi);
                pi.CopyTo(parameters.Slice(i));
            }
        }
        for (; i < length; i++)
        {
            float vi = momentum * velocity[i] + gradients[i];
            velocity[i] = vi;
            parameters[i] -= learningRate * (nesterov ? gradients[i] + momentum * vi : vi);
        }
    }
}
