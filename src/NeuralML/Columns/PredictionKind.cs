namespace NeuralML;

/// <summary>The machine-learning task a FeedForward model was trained for.</summary>
public enum PredictionKind
{
    /// <summary>Two classes: one logit, a sigmoid probability.</summary>
    BinaryClassification,

    /// <summary>Several classes: one logit per class, softmax probabilities.</summary>
    MulticlassClassification,

    /// <summary>A real-valued label: one linear output.</summary>
    Regression,
}
