namespace NeuralML;

/// <summary>
/// How a FeedForward model was trained: every epoch's losses, metric and learning rate, the epoch whose parameters the
/// model keeps, and a diagnosis of the run. It is saved with the model.
/// </summary>
public sealed class FeedForwardTrainingHistory
{
    internal FeedForwardTrainingHistory(IReadOnlyList<FeedForwardEpoch> epochs, int keptEpoch, string validationMetricName, string diagnosis)
    {
        Epochs = epochs;
        KeptEpoch = keptEpoch;
        ValidationMetricName = validationMetricName;
        Diagnosis = diagnosis;
    }

    /// <summary>One entry per epoch run, in order.</summary>
    public IReadOnlyList<FeedForwardEpoch> Epochs { get; }

    /// <summary>The epoch whose parameters the model keeps: the best on the watched rows with early stopping, else the last.</summary>
    public int KeptEpoch { get; }

    /// <summary>The name of <see cref="FeedForwardEpoch.ValidationMetric"/>: "AUC", "accuracy" or "R²".</summary>
    public string ValidationMetricName { get; }

    /// <summary>
    /// What the run's losses say, from the rules users learn first: underfitting (training loss still high and flat:
    /// add capacity), overfitting (validation loss rising while the training loss falls: regularise or stop earlier),
    /// a growing loss (lower the learning rate), or no problem found. Also written to <c>MLContext.Log</c>.
    /// </summary>
    public string Diagnosis { get; }

    /// <summary>The history as a table: one line per epoch.</summary>
    public override string ToString()
    {
        string metric = $"validation {ValidationMetricName}";
        var text = new System.Text.StringBuilder($"epoch  training loss  validation loss  {metric,16}  learning rate  seconds{Environment.NewLine}");
        foreach (FeedForwardEpoch e in Epochs)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"{e.Epoch,5}  {e.TrainingLoss,13:G6}  {Format(e.ValidationLoss),15}  {Format(e.ValidationMetric),16}  {Format(e.LearningRate),13}  {Format(e.Elapsed?.TotalSeconds),7}");
            text.AppendLine(e.Epoch == KeptEpoch ? "  (kept)" : "");
        }
        return text.Append(Diagnosis).ToString();
    }

    private static string Format(double? value) => value is double v ? v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture) : "-";
}
