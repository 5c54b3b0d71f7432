using Microsoft.ML.Runtime;
using NeuralML.Reading;
using NeuralML.Training;

namespace NeuralML;

/// <summary>What a training run tells the user through <c>MLContext.Log</c> (source "FeedForward; Training").</summary>
internal sealed class TrainingLog(IChannel? channel, PredictionKind kind, TrainingSettings settings)
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>The network, the data and how training will watch for overfitting.</summary>
    public void Started(TrainingDataReader.Result read, int? validationRows, string labelColumn, int outputs)
    {
        int[] sizes = [read.Data.FeatureCount, .. settings.HiddenLayers!, outputs];
        string kernels = $"{Kernels.DenseKernels.Default.Name} kernels on up to {settings.NumberOfThreads ?? Environment.ProcessorCount} threads";
        Info($"FeedForward {kind}: {string.Join("-", sizes)} {settings.Activation} network, {read.Data.RowCount} rows, {settings.Epochs} epochs of batch {settings.BatchSize}, " +
            $"{settings.Optimizer} lr {settings.LearningRate}, seed {settings.Seed}, {kernels}.");
        if (read.SkippedRows > 0)
            channel?.Warning(MessageSensitivity.None, $"Skipped {read.SkippedRows} rows with a missing value in label column '{labelColumn}'.");
        if (validationRows is int rows) Info($"Validation data: {rows} rows; no training rows are held out.");
        else if (settings.EarlyStoppingRounds == 0) Info("Early stopping is off (EarlyStoppingRounds = 0): every row trains, none is held out.");
    }

    public void Epoch(EpochReport report)
        => Info($"Epoch {report.Epoch}/{report.Epochs}: loss {report.Loss:G5}" +
            (report.ValidationLoss is double v ? $", validation loss {v:G5}" : "") +
            (report.ValidationMetric is double m ? $", validation {_metric} {m:G4}" : "") +
            (settings.LearningRateSchedule != LearningRateSchedule.Constant ? $", learning rate {report.LearningRate:G3}" : "") +
            $" ({report.Elapsed.TotalSeconds:F3} s)");

    private readonly string _metric = ValidationMetric.NameOf(settings.Loss);

    /// <summary>How long training took and which epoch the model keeps.</summary>
    public void Finished(TrainingResult result, bool validationData)
    {
        int epochs = settings.Epochs!.Value, run = result.History.Count;
        string watched = validationData ? "validation data" : $"{settings.ValidationFraction * 100:0.#}% held-out rows";
        string stopped = result.Converged
            ? $"{settings.Optimizer} converged after epoch {run}" + (result.BestEpoch < run ? $"; kept epoch {result.BestEpoch}, the best on the {watched}" : "")
            : run < epochs
            ? $"stopped early after epoch {run}; kept epoch {result.BestEpoch}, the best on the {watched}"
            : result.BestEpoch < epochs ? $"kept epoch {result.BestEpoch}, the best on the {watched}" : $"final loss {result.History[^1].Loss:G5}";
        Info($"FeedForward training finished in {_clock.Elapsed.TotalSeconds:F2} s; {stopped}.");
        Info($"Diagnosis: {result.Diagnosis.Text}");
    }

    private void Info(string message) => channel?.Info(MessageSensitivity.None, message);
}
