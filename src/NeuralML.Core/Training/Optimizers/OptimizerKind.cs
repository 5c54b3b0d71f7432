namespace NeuralML;

/// <summary>How the parameters move along their gradient after each mini-batch.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent, with optional (Nesterov) momentum.</summary>
    Sgd,

    /// <summary>Adam (Kingma and Ba, 2015): per-parameter steps from bias-corrected first and second moments. The default.</summary>
    Adam,

    /// <summary>Adam with decoupled weight decay (Loshchilov and Hutter, 2019): <c>WeightDecay</c> defaults to 0.01 with it.</summary>
    AdamW,

    /// <summary>RMSProp (Hinton, 2012): steps scaled by a running root mean square of the gradient.</summary>
    RmsProp,

    /// <summary>
    /// Full-batch L-BFGS (limited-memory BFGS) with a line search satisfying the strong Wolfe conditions: each epoch is
    /// one quasi-Newton step on all training rows, and training ends when the gradient norm or the change in loss falls
    /// below its tolerance. The usual choice for small data sets (scikit-learn's MLP default solver); it ignores
    /// <c>BatchSize</c> and <c>LearningRate</c>, and does not combine with dropout, a learning-rate schedule or
    /// gradient clipping.
    /// </summary>
    Lbfgs,
}
