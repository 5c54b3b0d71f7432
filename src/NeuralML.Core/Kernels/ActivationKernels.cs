using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace NeuralML.Kernels;

/// <summary>
/// Element-wise activations and their derivatives. The derivative of ReLU, LeakyReLU, ELU, SELU, tanh and sigmoid is
/// computed from the activation's <em>output</em>, so the forward pass can overwrite its pre-activation in place and
/// backward needs no extra buffer; GELU, SiLU and PReLU are not invertible from their output, so their derivative is
/// computed from the pre-activation, which the network keeps for them (<see cref="NeedsInput"/>).
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
            case Activation.Selu:
                Run(new SeluOperator(), values, values);
                break;
            case Activation.Gelu:
                Run(new GeluOperator(), values, values);
                break;
            case Activation.Silu:
                Run(new SiluOperator(), values, values);
                break;
            case Activation.PRelu:
                throw new ArgumentException("PReLU needs its slopes: use ApplyPRelu.", nameof(activation));
            case Activation.Identity:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>Whether the derivative needs the pre-activation z (<see cref="MultiplyByDerivativeOfInput"/>) rather than the output.</summary>
    public static bool NeedsInput(Activation activation) => activation is Activation.PRelu or Activation.Gelu or Activation.Silu;

    /// <summary>PReLU on one row: values[j] = values[j] &gt; 0 ? values[j] : slopes[j]·values[j].</summary>
    public static void ApplyPRelu(Span<float> values, ReadOnlySpan<float> slopes)
    {
        if (slopes.Length < values.Length) throw new ArgumentException("PReLU needs one slope per value.", nameof(slopes));
        fixed (float* v = values, a = slopes)
        {
            ElementWise.Run(new PReluOperator(v, a), 0, values.Length);
        }
    }

    /// <summary>
    /// Back-propagation through PReLU on one row, from its input z: dSlopes[j] += gradient[j]·min(z[j], 0), then
    /// gradient[j] *= z[j] &gt; 0 ? 1 : slopes[j].
    /// </summary>
    public static void PReluBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> slopes, Span<float> gradient, Span<float> dSlopes)
    {
        int length = gradient.Length;
        if (input.Length != length || slopes.Length < length || dSlopes.Length < length)
            throw new ArgumentException("PReLU's input, slopes, gradient and slope gradient must have one value per unit.");
        fixed (float* z = input, a = slopes, g = gradient, da = dSlopes)
        {
            ElementWise.Run(new PReluBackwardOperator(z, a, g, da), 0, length);
        }
    }

    /// <summary>gradient[i] *= f'(z_i), from the pre-activation z, for GELU (Φ(z) + z·φ(z)) and SiLU (σ(z)(1 + z(1 − σ(z)))).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyByDerivativeOfInput(Activation activation, ReadOnlySpan<float> input, Span<float> gradient)
    {
        if (input.Length != gradient.Length) throw new ArgumentException("Input and gradient lengths differ.");
        switch (activation)
        {
            case Activation.Gelu:
                Run(new GeluDerivativeOperator(), input, gradient);
                break;
            case Activation.Silu:
                Run(new SiluDerivativeOperator(), input, gradient);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Only GELU and SiLU take their derivative from the input (PReLU has PReluBackward).");
        }
    }

    /// <summary>
    /// gradient[i] *= f'(z_i), where output[i] = f(z_i): ReLU (1 or 0), LeakyReLU (1 or slope), ELU (1 or f + α, since
    /// f'(z) = αe^z = f(z) + α for z ≤ 0), SELU (λ or f + λα, likewise), tanh (1 − f²) and sigmoid (f(1 − f)).
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
            case Activation.Selu:
                Run(new SeluDerivativeOperator(), output, gradient);
                break;
            case Activation.Identity:
                break;
            case Activation.PRelu or Activation.Gelu or Activation.Silu:
                throw new ArgumentException($"{activation}'s derivative needs its input: use MultiplyByDerivativeOfInput or PReluBackward.", nameof(activation));
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

    /// <summary>SELU: λz for z &gt; 0, λα(e^z − 1) otherwise.</summary>
    private readonly struct SeluOperator : IPointFunction
    {
        public static TVector Invoke<TVector>(TVector z, TVector g) where TVector : unmanaged, ISimdVector<TVector>
        {
            TVector lambda = TVector.Broadcast(ActivationConstants.SeluLambda);
            TVector negative = TVector.Broadcast(ActivationConstants.SeluLambda * ActivationConstants.SeluAlpha) * (TVector.Exp(z) - TVector.Broadcast(1f));
            // The vector e^z is not exactly 1 at 0 (it gives 1 + 2⁻²³ there): clamp, so that z ≤ 0 never gives a positive
            // output, which the derivative would read as the other branch.
            TVector zero = TVector.Broadcast(0f);
            return TVector.WherePositive(z, lambda * z, TVector.WherePositive(negative, zero, negative));
        }
    }

    private readonly struct SeluDerivativeOperator : IPointFunction
    {
        public static TVector Invoke<TVector>(TVector a, TVector g) where TVector : unmanaged, ISimdVector<TVector>
            => g * TVector.WherePositive(a, TVector.Broadcast(ActivationConstants.SeluLambda),
                a + TVector.Broadcast(ActivationConstants.SeluLambda * ActivationConstants.SeluAlpha));
    }

    private readonly struct GeluOperator : IPointFunction
    {
        public static TVector Invoke<TVector>(TVector z, TVector g) where TVector : unmanaged, ISimdVector<TVector>
            => z * NormalCdf(z, out _);
    }

    /// <summary>GELU'(z) = Φ(z) + z·φ(z).</summary>
    private readonly struct GeluDerivativeOperator : IPointFunction
    {
        public static TVector Invoke<TVector>(TVector z, TVector g) where TVector : unmanaged, ISimdVector<TVector>
        {
            TVector cdf = NormalCdf(z, out TVector gaussian);
            return g * (cdf + z * gaussian * TVector.Broadcast(InverseSqrtTwoPi));
        }
    }

    private const float InverseSqrtTwo = 0.70710678118654752440f, InverseSqrtTwoPi = 0.39894228040143267794f;

    /// <summary>
    /// Φ(z) = ½(1 + erf(z/√2)), with erf from Abramowitz and Stegun 7.1.26 (|error| ≤ 1.5e-7, below float's
    /// resolution of Φ's values), and e^(−z²/2) for the density, which GELU's derivative reuses.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector NormalCdf<TVector>(TVector z, out TVector gaussian) where TVector : unmanaged, ISimdVector<TVector>
    {
        TVector x = z * TVector.Broadcast(InverseSqrtTwo);
        TVector ax = TVector.Abs(x);
        TVector one = TVector.Broadcast(1f);
        TVector t = one / (one + TVector.Broadcast(0.3275911f) * ax);
        TVector poly = ((((TVector.Broadcast(1.061405429f) * t + TVector.Broadcast(-1.453152027f)) * t + TVector.Broadcast(1.421413741f)) * t
            + TVector.Broadcast(-0.284496736f)) * t + TVector.Broadcast(0.254829592f)) * t;
        gaussian = TVector.Exp(TVector.Broadcast(0f) - ax * ax);
        TVector erfOfMagnitude = one - poly * gaussian;
        TVector erf = TVector.WherePositive(x, erfOfMagnitude, TVector.Broadcast(0f) - erfOfMagnitude);
        return TVector.Broadcast(0.5f) * (one + erf);
    }

    /// <summary>SiLU: z·σ(z) = z / (1 + e^−z).</summary>
    private readonly struct SiluOperator : IPointFunction
    {
        public static TVector Invoke<TVector>(TVector z, TVector g) where TVector : unmanaged, ISimdVector<TVector>
            => z / (TVector.Broadcast(1f) + TVector.Exp(TVector.Broadcast(0f) - z));
    }

    /// <summary>SiLU'(z) = σ(z)(1 + z(1 − σ(z))).</summary>
    private readonly struct SiluDerivativeOperator : IPointFunction
    {
        public static TVector Invoke<TVector>(TVector z, TVector g) where TVector : unmanaged, ISimdVector<TVector>
        {
            TVector one = TVector.Broadcast(1f);
            TVector sigmoid = one / (one + TVector.Exp(TVector.Broadcast(0f) - z));
            return g * (sigmoid * (one + z * (one - sigmoid)));
        }
    }

    private readonly struct PReluOperator(float* values, float* slopes) : IElementWiseOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<TVector>(int index) where TVector : unmanaged, ISimdVector<TVector>
        {
            TVector z = TVector.Load(values + index);
            TVector.WherePositive(z, z, TVector.Load(slopes + index) * z).Store(values + index);
        }
    }

    private readonly struct PReluBackwardOperator(float* input, float* slopes, float* gradient, float* dSlopes) : IElementWiseOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<TVector>(int index) where TVector : unmanaged, ISimdVector<TVector>
        {
            TVector z = TVector.Load(input + index), g = TVector.Load(gradient + index), zero = TVector.Broadcast(0f);
            (TVector.Load(dSlopes + index) + g * TVector.WherePositive(z, zero, z)).Store(dSlopes + index);
            (g * TVector.WherePositive(z, TVector.Broadcast(1f), TVector.Load(slopes + index))).Store(gradient + index);
        }
    }
}
