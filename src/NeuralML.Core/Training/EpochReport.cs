namespace NeuralML.Training;

/// <summary>
/// What one epoch did: the weighted mean training loss, the validation loss and metric (when rows are watched), the
/// learning rate of its first step, and the time it took; in an ensemble, which member it trained (0 for the first or only network).
/// </summary>
internal readonly record struct EpochReport(int Epoch, int Epochs, double Loss, TimeSpan Elapsed, double? ValidationLoss = null, float LearningRate = 0f,
    double? ValidationMetric = null, int Member = 0);
