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
                foreach (ref float v in values) v = v > 0f ? v : LeakyReluSlope * v;
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
                for (int i = 0; i < output.Length; i++) gradient[i] *= output[i] > 0f ? 1f : LeakyReluSlope;
                break;
            case Activation.Elu:
                // For z <= 0, f(z) = α(e^z − 1), so f'(z) = α·e^z = f(z) + α.
                for (int i = 0; i < output.Length; i++) gradient[i] *= output[i] > 0f ? 1f : output[i] + EluAlpha;
                break;
            case Activation.Tanh:
                for (int i = 0; i < output.Length; i++) gradient[i] *= 1f - output[i] * output[i];
                break;
            case Activation.Sigmoid:
                for (int i = 0; i < output.Length; i++) gradient[i] *= output[i] * (1f - output[i]);
                break;
            case Activation.Identity:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }
}
