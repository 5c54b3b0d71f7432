namespace NeuralML;

/// <summary>The non-linearity applied after a dense layer's weighted sum.</summary>
public enum Activation
{
    /// <summary>Rectified linear unit, max(0, z). The default for hidden layers; He initialisation.</summary>
    Relu,

    /// <summary>Leaky ReLU, z for z &gt; 0 and 0.01·z otherwise; He initialisation.</summary>
    LeakyRelu,

    /// <summary>Exponential linear unit, z for z &gt; 0 and e^z − 1 otherwise; He initialisation.</summary>
    Elu,

    /// <summary>Hyperbolic tangent; Glorot (Xavier) initialisation.</summary>
    Tanh,

    /// <summary>Logistic sigmoid, 1 / (1 + e^−z); Glorot (Xavier) initialisation.</summary>
    Sigmoid,

    /// <summary>No non-linearity (a linear layer); Glorot initialisation. Output layers use it before their loss head.</summary>
    Identity,

    /// <summary>
    /// Parametric ReLU, z for z &gt; 0 and a·z otherwise, with a slope a learned for each hidden unit (initialised at
    /// 0.25, as in He et al. 2015 and PyTorch); He initialisation for that slope.
    /// </summary>
    PRelu,

    /// <summary>
    /// Gaussian error linear unit in its exact form, z·Φ(z) = ½z(1 + erf(z/√2)) (PyTorch's default, Keras'
    /// <c>approximate=False</c>); the ONNX export writes the same formula with <c>Erf</c>. He initialisation.
    /// </summary>
    Gelu,

    /// <summary>Sigmoid linear unit (Swish), z·σ(z); He initialisation.</summary>
    Silu,

    /// <summary>
    /// Scaled ELU, λz for z &gt; 0 and λα(e^z − 1) otherwise, with λ ≈ 1.0507 and α ≈ 1.6733 (Klambauer et al. 2017);
    /// LeCun-normal initialisation, which with standardised inputs keeps activations near mean 0 and variance 1.
    /// </summary>
    Selu,
}
