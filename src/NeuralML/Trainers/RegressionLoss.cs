namespace NeuralML;

/// <summary>The loss a FeedForward regression model minimises.</summary>
public enum RegressionLoss
{
    /// <summary>Squared error (z − y)²: predicts the conditional mean. The default.</summary>
    SquaredError,

    /// <summary>Absolute error |z − y|: predicts the conditional median; robust to outlying labels.</summary>
    AbsoluteError,

    /// <summary>
    /// Huber loss: squared for errors up to one standard deviation of the label, linear beyond. (Labels are
    /// standardised during training, so δ = 1 means one standard deviation.)
    /// </summary>
    Huber,
}
