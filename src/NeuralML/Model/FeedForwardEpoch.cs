namespace NeuralML;

/// <summary>What one training epoch did, as <see cref="FeedForwardTrainingHistory"/> keeps it and <c>Progress</c> reports it.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="TrainingLoss">The weighted mean loss over the epoch's batches (on standardised labels for regression).</param>
/// <param name="ValidationLoss">The loss on the watched rows (held out, or the validation data) after the epoch; null when none are watched.</param>
/// <param name="ValidationMetric">
/// The task's metric on the watched rows after the epoch: ROC AUC for binary classification, accuracy for multiclass,
/// R² for regression (<see cref="FeedForwardTrainingHistory.ValidationMetricName"/>); null when none are watched or it
/// is undefined there.
/// </param>
/// <param name="LearningRate">The learning rate of the epoch's first step; null in models saved before NeuralML kept it.</param>
/// <param name="Elapsed">How long the epoch took; null in models saved before NeuralML kept it.</param>
public sealed record FeedForwardEpoch(int Epoch, double TrainingLoss, double? ValidationLoss, double? ValidationMetric, float? LearningRate, TimeSpan? Elapsed)
{
    /// <summary>
    /// In an ensemble (<c>EnsembleSize</c> above 1), which network trained this epoch, from 0; <c>Progress</c> hears from
    /// every member, while the model's history keeps the first member's epochs (all 0). 0 for a single network.
    /// </summary>
    public int Member { get; init; }
}
