namespace NeuralML;

/// <summary>How the learning rate changes over training. The rate used in each epoch is in the model's training history.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout. The default.</summary>
    Constant,

    /// <summary>
    /// The rate times <c>LearningRateDecay</c> every <c>LearningRateDecayEpochs</c> epochs: η₀·γ^⌊(epoch − 1)/k⌋
    /// (PyTorch's <c>StepLR</c>, Keras' <c>ExponentialDecay(staircase=True)</c>).
    /// </summary>
    StepDecay,

    /// <summary>
    /// The same decay spread evenly over the epochs: η₀·γ^((epoch − 1)/k), constant within an epoch (PyTorch's
    /// <c>ExponentialLR</c> with γ^(1/k) per epoch).
    /// </summary>
    ExponentialDecay,

    /// <summary>
    /// A linear warm-up over <c>LearningRateWarmupEpochs</c>, then half a cosine from the rate down to 0 at the last
    /// step, step by step (PyTorch's <c>CosineAnnealingLR</c>, Keras' <c>CosineDecay</c> with warm-up).
    /// </summary>
    CosineAnnealing,

    /// <summary>
    /// Smith's one-cycle policy (PyTorch's <c>OneCycleLR</c>, cosine, two phases): from the rate/25 up to the rate over
    /// the first 30% of the steps, then down to the rate/250,000, step by step.
    /// </summary>
    OneCycle,

    /// <summary>
    /// The rate times <c>LearningRateDecay</c> whenever the validation loss (the training loss when no rows are
    /// watched) has not improved by 0.01% for <c>LearningRatePatience</c> epochs (Keras' <c>ReduceLROnPlateau</c>).
    /// </summary>
    ReduceOnPlateau,
}
