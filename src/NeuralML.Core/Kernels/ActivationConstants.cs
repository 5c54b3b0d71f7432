namespace NeuralML.Kernels;

/// <summary>The fixed constants in the definitions of the <see cref="Activation"/> functions, shared by the kernels and the ONNX export.</summary>
internal static class ActivationConstants
{
    /// <summary>LeakyReLU's slope for z ≤ 0.</summary>
    public const float LeakyReluSlope = 0.01f;

    /// <summary>ELU's α: f(z) = α(e^z − 1) for z ≤ 0.</summary>
    public const float EluAlpha = 1f;

    /// <summary>PReLU's slope before training.</summary>
    public const float PReluInitialSlope = 0.25f;

    /// <summary>SELU's λ and α (Klambauer et al. 2017), the values PyTorch and ONNX use.</summary>
    public const float SeluLambda = 1.05070098735548049342f, SeluAlpha = 1.67326324235437728482f;
}
