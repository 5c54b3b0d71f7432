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
}
