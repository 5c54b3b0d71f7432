namespace NeuralML;

/// <summary>How the parameters move along their gradient after each mini-batch.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent, with optional (Nesterov) momentum.</summary>
    Sgd,

    /// <summary>Adam (Kingma and Ba, 2015): per-parameter steps from bias-corrected first and second moments. The default.</summary>
    Adam,
}
