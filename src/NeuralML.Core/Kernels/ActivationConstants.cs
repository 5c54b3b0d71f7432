namespace NeuralML.Kernels;

/// <summary>The fixed constants in the definitions of the <see cref="Activation"/> functions, shared by the kernels and the ONNX export.</summary>
internal static class ActivationConstants
{
    /// <summary>LeakyReLU's slope for z ≤ 0.</summary>
    public const float LeakyReluSlope = 0.01f;

    /// <summary>ELU's α: f(z) = α(e^z − 1) for z ≤ 0.</summary>
    public const float EluAlpha = 1f;
}
