using System.Runtime.CompilerServices;

namespace NeuralML.Kernels;

/// <summary>The element-wise parts of regularisation that <see cref="System.Numerics.Tensors.TensorPrimitives"/> lacks.</summary>
internal static unsafe class RegularizationKernels
{
    /// <summary>gradient[i] += λ·sign(weights[i]), the L1 penalty's subgradient (0 at 0, so a zero weight stays at rest).</summary>
    public static void AddL1Gradient(ReadOnlySpan<float> weights, Span<float> gradient, float lambda)
    {
        if (weights.Length != gradient.Length) throw new ArgumentException("Weights and gradient lengths differ.");
        fixed (float* w = weights, g = gradient)
        {
            ElementWise.Run(new L1Operator(w, g, lambda), 0, gradient.Length);
        }
    }

    private readonly struct L1Operator(float* weights, float* gradient, float lambda) : IElementWiseOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<TVector>(int index) where TVector : unmanaged, ISimdVector<TVector>
        {
            TVector w = TVector.Load(weights + index), zero = TVector.Broadcast(0f), l = TVector.Broadcast(lambda);
            TVector step = TVector.WherePositive(w, l, TVector.WherePositive(zero - w, zero - l, zero));
            (TVector.Load(gradient + index) + step).Store(gradient + index);
        }
    }
}
