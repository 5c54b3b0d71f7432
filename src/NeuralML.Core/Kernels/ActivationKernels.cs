using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace NeuralML.Kernels;

/// <summary>
/// Element-wise activations and their derivatives. Every derivative is computed from the activation's
/// <em>output</em>, so the forward pass can overwrite its pre-activation in place and backward needs no extra buffer.
/// ReLU, tanh and sigmoid come from <see cref="TensorPrimitives"/>; what it lacks runs on <see cref="ElementWise"/>.
/// </summary>
internal static unsafe class ActivationKernels
{
    /// <summary>values[i] = f(values[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(Activation activation, Span<float> values)
    {
        switch (activation)
        {
            case Activation.Relu:
                TensorPrimitives.Max(values, 0f, values);
                break;
            case Activation.LeakyRelu:
                Run(new LeakyReluOperator(), values, values);
                break;
            case Activation.Elu:
                foreach (ref float v in values) v = v > 0f ? v : ActivationConstants.EluAlpha * (MathF.Exp(v) - 1f);
                break;
            case Activation.Tanh:
                TensorPrimitives.Tanh(values, values);
                break;
            case Activation.Sigmoid:
                // TensorPrimitives.Sigmoid throws on an empty span (unlike Tanh and Max); a batch of zero rows is no error here.
                if (!values.IsEmpty) TensorPrimitives.Sigmoid(values, values);
                break;
            case Activation.Identity:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>
    /// gradient[i] *= f'(z_i), where output[i] = f(z_i): ReLU (1 or 0), LeakyReLU (1 or slope), ELU (1 or f + α, since
    /// f'(z) = αe^z = f(z) + α for z ≤ 0), tanh (1 − f²) and sigmoid (f(1 − f)).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyByDerivative(Activation activation, ReadOnlySpan<float> output, Span<float> gradient)
    {
        if (output.Length != gradient.Length) throw new ArgumentException("Output and gradient lengths differ.");
        switch (activation)
        {
            case Activation.Relu:
                Run(new ReluDerivativeOperator(), output, gradient);
                break;
            case Activation.LeakyRelu:
                Run(new LeakyReluDerivativeOperator(), output, gradient);
                break;
            case Activation.Elu:
                Run(new EluDerivativeOperator(), output, gradient);
                break;
            case Activation.Tanh:
                Run(new TanhDerivativeOperator(), output, gradient);
                break;
            case Activation.Sigmoid:
                Run(new SigmoidDerivativeOperator(), output, gradient);
                break;
            case Activation.Identity:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>target[i] = op(source[i], target[i]) for every i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Run<TFunction>(TFunction function, ReadOnlySpan<float> source, Span<float> target) where TFunction : struct, IPointFunction
    {
        fixed (float* s = source, t = target)
        {
            ElementWise.Run(new PointOperator<TFunction>(s, t), 0, target.Length);
        }
    }

    /// <summary>A function of an activation's output (or input) a and the value g it updates.</summary>
    private interface IPointFunction
    {
        static abstract TVector Invoke<TVector>(TVector a, TVector g) where TVector : unmanaged, ISimdVector<TVector>;
    }

    private readonly struct PointOperator<TFunction>(float* source, float* target) : IElementWiseOperator where TFunction : struct, IPointFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<TVector>(int index) where TVector : unmanaged, ISimdVector<TVector>
            => TFunction.Invoke(TVector.Load(source + index), TVector.Load(target + index)).Store(target + index);
    }

    /// <summary>LeakyReLU in place: a and g are the same value z.</summary>
    private readonly struct LeakyReluOperator : IPointFunction
    {
        public static TVector Invoke<TVector>(TVector z, TVector g) where TVector : unmanaged, ISimdVector<TVector>
            => TVector.WherePositive(z, z, TVector.Broadcast(ActivationConstants.LeakyReluSlope) * z);
    }

    private readonly struct ReluDerivativeOperator : IPointFunction
    {
        public static TVector Invoke<TVector>(TVector a, TVector g) where TVector : unmanaged, ISimdVector<TVector>
            => TVector.WherePositive(a, g, TVector.Broadcast(0f));
    }

    private readonly struct LeakyReluDerivativeOperator : IPointFunction
    {
        public static TVector Invoke<TVector>(TVector a, TVector g) where TVector : unmanaged, ISimdVector<TVector>
            => g * TVector.WherePositive(a, TVector.Broadcast(1f), TVector.Broadcast(ActivationConstants.LeakyReluSlope));
    }

    private readonly struct EluDerivativeOperator : IPointFunction
    {
        public static TVector Invoke<TVector>(TVector a, TVector g) where TVector : unmanaged, ISimdVector<TVector>
            => g * TVector.WherePositive(a, TVector.Broadcast(1f), a + TVector.Broadcast(ActivationConstants.EluAlpha));
    }

    private readonly struct TanhDerivativeOperator : IPointFunction
    {
        public static TVector Invoke<TVector>(TVector a, TVector g) where TVector : unmanaged, ISimdVector<TVector>
            => g * (TVector.Broadcast(1f) - a * a);
    }

    private readonly struct SigmoidDerivativeOperator : IPointFunction
    {
        public static TVector Invoke<TVector>(TVector a, TVector g) where TVector : unmanaged, ISimdVector<TVector>
            => g * (a * (TVector.Broadcast(1f) - a));
    }
}
