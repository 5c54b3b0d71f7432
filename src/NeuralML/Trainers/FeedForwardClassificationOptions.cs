using NeuralML.Training;

namespace NeuralML;

/// <summary>Options of the two classification trainers: <see cref="FeedForwardOptions"/> plus label smoothing and class weights.</summary>
public abstract class FeedForwardClassificationOptions : FeedForwardOptions
{
    private protected FeedForwardClassificationOptions()
    {
    }

    /// <summary>
    /// Label smoothing ε in [0, 1): the targets become (1 − ε)·onehot + ε/K over the K classes (for binary, y becomes
    /// y(1 − ε) + ε/2), as Keras' <c>label_smoothing</c> and PyTorch's <c>CrossEntropyLoss(label_smoothing)</c>. It keeps
    /// the network from pushing probabilities to 0 or 1: predictions stay within about [ε/K, 1 − ε + ε/K]. Default 0.
    /// </summary>
    public float LabelSmoothing { get; set; }

    /// <summary>How the classes are weighted in the loss, on top of the example weights. Default <see cref="ClassWeights.None"/>.</summary>
    public ClassWeights ClassWeights { get; set; } = ClassWeights.None;

    private protected override TrainingSettings WithTaskSettings(TrainingSettings settings) => settings with { LabelSmoothing = LabelSmoothing };
}
