using System.Runtime.CompilerServices;

namespace NeuralML.Kernels;

/// <summary>
/// Optimizer updates in one pass over the parameter buffer, on <see cref="ElementWise"/>'s loop (split across the
/// worker pool for large networks). Each lane does exactly what the scalar formula does (no FMA contraction), so every
/// path and every thread count gives the same parameters.
/// </summary>
internal static unsafe class OptimizerKernels
{
    /// <summary>
    /// Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − stepSize·m / (√v / rootCorrection2 + ε).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Adam(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v,
        float stepSize, float beta1, float beta2, float epsilon, float rootCorrection2, int threads = 1)
    {
        int length = parameters.Length;
        if (gradients.Length < length || m.Length < length || v.Length < length) throw new ArgumentException("Optimizer buffers are shorter than the parameters.");
        fixed (float* p = parameters, g = gradients, pm = m, pv = v)
        {
            ElementWise.RunParallel(new AdamOperator(p, g, pm, pv, stepSize, beta1, beta2, epsilon, rootCorrection2), length, threads);
        }
    }

    /// <summary>SGD with momentum μ: v ← μv + g, then p ← p − η·v, or with Nesterov p ← p − η(g + μv).</summary>
    public static void Sgd(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> velocity, float learningRate, float momentum, bool nesterov,
        int threads = 1)
    {
        int length = parameters.Length;
        if (gradients.Length < length || velocity.Length < length) throw new ArgumentException("Optimizer buffers are shorter than the parameters.");
        fixed (float* p = parameters, g = gradients, pv = velocity)
        {
            ElementWise.RunParallel(new SgdOperator(p, g, pv, learningRate, momentum, nesterov), length, threads);
        }
    }

    /// <summary>
    /// RMSProp: v ← ρv + (1−ρ)g², d = g / (√v + ε); with momentum μ ≠ 0, b ← μb + d and p ← p − η·b, else p ← p − η·d.
    /// <paramref name="momentumBuffer"/> is used only when μ ≠ 0; with μ = 0 it may be empty.
    /// </summary>
    public static void RmsProp(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> meanSquare, Span<float> momentumBuffer,
        float learningRate, float rho, float epsilon, float momentum, int threads = 1)
    {
        int length = parameters.Length;
        if (gradients.Length < length || meanSquare.Length < length || (momentum != 0f && momentumBuffer.Length < length))
            throw new ArgumentException("Optimizer buffers are shorter than the parameters.");
        fixed (float* p = parameters, g = gradients, pv = meanSquare, pb = momentumBuffer)
        {
            ElementWise.RunParallel(new RmsPropOperator(p, g, pv, pb, learningRate, rho, epsilon, momentum), length, threads);
        }
    }

    private readonly struct AdamOperator(float* parameters, float* gradients, float* m, float* v,
        float stepSize, float beta1, float beta2, float epsilon, float rootCorrection2) : IElementWiseOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<TVector>(int index) where TVector : unmanaged, ISimdVector<TVector>
        {
            TVector g = TVector.Load(gradients + index);
            TVector mi = TVector.Broadcast(beta1) * TVector.Load(m + index) + TVector.Broadcast(1f - beta1) * g;
            TVector vi = TVector.Broadcast(beta2) * TVector.Load(v + index) + TVector.Broadcast(1f - beta2) * g * g;
            mi.Store(m + index);
            vi.Store(v + index);
            TVector step = TVector.Broadcast(stepSize) * mi / (TVector.Sqrt(vi) / TVector.Broadcast(rootCorrection2) + TVector.Broadcast(epsilon));
            (TVector.Load(parameters + index) - step).Store(parameters + index);
        }
    }

    private readonly struct SgdOperator(float* parameters, float* gradients, float* velocity, float learningRate, float momentum, bool nesterov)
        : IElementWiseOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<TVector>(int index) where TVector : unmanaged, ISimdVector<TVector>
        {
            TVector g = TVector.Load(gradients + index), mu = TVector.Broadcast(momentum);
            TVector vi = mu * TVector.Load(velocity + index) + g;
            vi.Store(velocity + index);
            (TVector.Load(parameters + index) - TVector.Broadcast(learningRate) * (nesterov ? g + mu * vi : vi)).Store(parameters + index);
        }
    }

    private readonly struct RmsPropOperator(float* parameters, float* gradients, float* meanSquare, float* momentumBuffer,
        float learningRate, float rho, float epsilon, float momentum) : IElementWiseOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<TVector>(int index) where TVector : unmanaged, ISimdVector<TVector>
        {
            TVector g = TVector.Load(gradients + index);
            TVector vi = TVector.Broadcast(rho) * TVector.Load(meanSquare + index) + TVector.Broadcast(1f - rho) * g * g;
            vi.Store(meanSquare + index);
            TVector direction = g / (TVector.Sqrt(vi) + TVector.Broadcast(epsilon));
            // Without momentum the buffer is never touched (it need not exist). With it, η stays outside the buffer, as in
            // PyTorch and in Sgd above (Keras keeps η inside), so μ = 0 and μ > 0 share one formula for p.
            if (momentum != 0f)
            {
                direction = TVector.Broadcast(momentum) * TVector.Load(momentumBuffer + index) + direction;
                direction.Store(momentumBuffer + index);
            }
            (TVector.Load(parameters + index) - TVector.Broadcast(learningRate) * direction).Store(parameters + index);
        }
    }
}
