using System.Numerics.Tensors;

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralML.Kernels;

/// <summary>
/// Element-wise activations and their derivatives. Every derivative is computed from the activation's
/// <em>output</em>, so the forward pass can overwrite its pre-activation in place and backward needs no extra buffer.
/// </summary>
internal static class ActivationKernels
{
    public const float LeakyReluSlope = 0.01f;
    public const float EluAlpha = 1f;

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
                LeakyRelu(values);
                break;
            case Activation.Elu:
                foreach (ref float v in values) v = v > 0f ? v : EluAlpha * (MathF.Exp(v) - 1f);
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

    /// <summary>gradient[i] = output[i] &gt; 0 ? gradient[i] : 0, on the widest vectors available.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReluDerivative(ReadOnlySpan<float> output, Span<float> gradient)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= output.Length - 16; i += 16)
            {
                var active = Vector512.GreaterThan(Vector512.Create(output.Slice(i, 16)), default);
                (Vector512.Create(gradient.Slice(i, 16)) & active).CopyTo(gradient.Slice(i));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= output.Length - 8; i += 8)
            {
                var active = Vector256.GreaterThan(Vector256.Create(output.Slice(i, 8)), default);
                (Vector256.Create(gradient.Slice(i, 8)) & active).CopyTo(gradient.Slice(i));
            }
        }
        for (; i < output.Length; i++) gradient[i] = output[i] > 0f ? gradient[i] : 0f;
    }

    private static void LeakyRelu(Span<float> values)
    {
        int i = 0, width = System.Numerics.Vector<float>.Count;
        var slope = new System.Numerics.Vector<float>(LeakyReluSlope);
        for (; i <= values.Length - width; i += width)
        {
            var v = new System.Numerics.Vector<float>(values.Slice(i, width));
            System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.GreaterThan(v, System.Numerics.Vector<float>.Zero), v, slope * v).CopyTo(values.Slice(i));
        }
        for (; i < values.Length; i++) values[i] = values[i] > 0f ? values[i] : LeakyReluSlope * values[i];
    }

    /// <summary>
    /// gradient[i] *= f'(z_i) for the activations whose derivative is a formula in f(z): LeakyReLU (1 or slope),
    /// ELU (1 or f + α, since f'(z) = αe^z = f(z) + α for z ≤ 0), tanh (1 − f²) and sigmoid (f(1 − f)). Vector lanes
    /// compute exactly what the scalar tail computes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SmoothDerivative(Activation activation, ReadOnlySpan<float> output, Span<float> gradient)
    {
        int i = 0, width = System.Numerics.Vector<float>.Count;
        var one = System.Numerics.Vector<float>.One;
        var slope = new System.Numerics.Vector<float>(LeakyReluSlope);
        var alpha = new System.Numerics.Vector<float>(EluAlpha);
        for (; i <= output.Length - width; i += width)
        {
            var a = new System.Numerics.Vector<float>(output.Slice(i, width));
            var g = new System.Numerics.Vector<float>(gradient.Slice(i, width));
            var positive = System.Numerics.Vector.GreaterThan(a, System.Numerics.Vector<float>.Zero);
            var derivative = activation switch
            {
                Activation.LeakyRelu => System.Numerics.Vector.ConditionalSelect(positive, one, slope),
                Activation.Elu => System.Numerics.Vector.ConditionalSelect(positive, one, a + alpha),
                Activation.Tanh => one - a * a,
                _ => a * (one - a),
            };
            (g * derivative).CopyTo(gradient.Slice(i));
        }
        for (; i < output.Length; i++)
        {
            float a = output[i];
            gradient[i] *= activation switch
            {
                Activation.LeakyRelu => a > 0f ? 1f : LeakyReluSlope,
                Activation.Elu => a > 0f ? 1f : a + EluAlpha,
                Activation.Tanh => 1f - a * a,
                _ => a * (1f - a),
            };
        }
    }

    /// <summary>gradient[i] *= f'(z_i), where output[i] = f(z_i).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyByDerivative(Activation activation, ReadOnlySpan<float> output, Span<float> gradient)
    {
        if (output.Length != gradient.Length) throw new ArgumentException("Output and gradient lengths differ.");
        switch (activation)
        {
            case Activation.Relu:
                ReluDerivative(output, gradient);
                break;
            case Activation.LeakyRelu:
            case Activation.Elu:
            case Activation.Tanh:
            case Activation.Sigmoid:
                SmoothDerivative(activation, output, gradient);
                break;
            case Activation.Identity:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }
}
