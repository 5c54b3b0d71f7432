using Microsoft.ML.Runtime;
using NeuralML.Training;

namespace NeuralML;

/// <summary>What a training run tells the user through <c>MLContext.Log</c> (source "FeedForward; Training").</summary>
internal sealed class TrainingLog(IChannel? channel, PredictionKind kind, TrainingSettings settings, bool choosesRecipe = false)
{
    /// <summary>The networks the run trains: every recipe's folds when cross-validation chooses the recipe, else the ensemble.</summary>
    private readonly int _networks = (choosesRecipe ? TrainingDefaults.SmallDataRecipes.Count : 1) * (settings.EnsembleSize ?? 1);

    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>The network, the data and how training will watch for overfitting.</summary>
    /// <param name="rows">Training rows.</param>
    /// <param name="features">Features per row.</param>
    /// <param name="skippedRows">Rows skipped for a missing label.</param>
    /// <param name="validationRows">Rows of the validation data given, if any.</param>
    /// <param name="labelColumn">The label column's name.</param>
    /// <param name="outputs">The network's outputs.</param>
    /// <param name="reading">How long reading (or, streamed, the survey passes) took.</param>
    /// <param name="streaming">How the rows are streamed, when they are.</param>
    public void Started(long rows, int features, long skippedRows, int? validationRows, string labelColumn, int outputs, TimeSpan reading, string? streaming = null)
    {
        Info($"{(streaming is null ? "Read" : "Surveyed")} {rows:N0} training rows of {features:N0} features{(validationRows is int v ? $" and {v:N0} validation rows" : "")} in {reading.TotalSeconds:F2} s.");
        if (streaming is not null) Info(streaming);
        if (choosesRecipe)
        {
            int folds = settings.EnsembleSize!.Value;
            Info($"FeedForward {kind}: {rows} rows, under {TrainingDefaults.SmallDataRows:N0}: {folds}-fold cross-validation chooses among " +
                $"{TrainingDefaults.SmallDataRecipes.Count} recipes ({string.Join("; ", TrainingDefaults.SmallDataRecipes.Select(r => r.Name))}), " +
                $"and the chosen recipe's {folds} networks, one per fold, are averaged. Seed {settings.Seed}, {Kernels.DenseKernels.Default.Name} kernels on up to {settings.NumberOfThreads ?? Environment.ProcessorCount} threads.");
            if (skippedRows > 0)
                channel?.Warning(MessageSensitivity.None, $"Skipped {skippedRows} rows with a missing value in label column '{labelColumn}'.");
            return;
        }
        int[] sizes = [features, .. settings.HiddenLayers!, outputs];
        string kernels = $"{Kernels.DenseKernels.Default.Name} kernels on up to {settings.NumberOfThreads ?? Environment.ProcessorCount} threads";
        string networks = settings.EnsembleSize is > 1 ? $"an ensemble of {settings.EnsembleSize} {string.Join("-", sizes)} {settings.Activation} networks" : $"{string.Join("-", sizes)} {settings.Activation} network";
        string schedule = settings.LearningRateSchedule is { } s && s != LearningRateSchedule.Constant ? $" ({s})" : "";
        string decay = settings.WeightDecay is > 0f ? $", weight decay {settings.WeightDecay}" : "";
        Info($"FeedForward {kind}: {networks}, {rows} rows, {settings.Epochs} epochs of batch {settings.BatchSize}, " +
            $"{settings.Optimizer} lr {settings.LearningRate}{schedule}{decay}, seed {settings.Seed}, {kernels}.");
        if (skippedRows > 0)
            channel?.Warning(MessageSensitivity.None, $"Skipped {skippedRows} rows with a missing value in label column '{labelColumn}'.");
        if (validationRows is int given) Info($"Validation data: {given} rows; no training rows are held out.");
        else if (settings.EarlyStoppingRounds == 0)
            Info("Early stopping is off (set EarlyStoppingRounds, or give validation data, to turn it on): every row trains for all the epochs, none is held out.");
    }

    public void Epoch(EpochReport report)
        => Info((_networks > 1 ? $"Network {report.Member + 1}/{_networks}, epoch" : "Epoch") + $" {report.Epoch}/{report.Epochs}: loss {report.Loss:G5}" +
            (report.ValidationLoss is double v ? $", validation loss {v:G5}" : "") +
            (report.ValidationMetric is double m ? $", validation {_metric} {m:G4}" : "") +
            (settings.LearningRateSchedule != LearningRateSchedule.Constant ? $", learning rate {report.LearningRate:G3}" : "") +
            $" ({report.Elapsed.TotalSeconds:F3} s)");

    private readonly string _metric = ValidationMetric.NameOf(settings.Loss);

    /// <summary>How long training took and which epoch the model keeps.</summary>
    public void Finished(TrainingResult result, bool validationData)
    {
        if (result.Selection is { } selection)
        {
            Info($"FeedForward training finished in {_clock.Elapsed.TotalSeconds:F2} s; cross-validation loss " +
                string.Join(", ", selection.Names.Select((name, i) => $"{selection.Losses[i]:G4} for {name}")) +
                $": chose {selection.Names[selection.Chosen]}, an ensemble of its {selection.Folds} networks.");
            Diagnosis($"Diagnosis (its first network): {result.Diagnosis.Text}", result.Diagnosis);
            return;
        }
        int epochs = settings.Epochs!.Value, run = result.History.Count;
        string watched = validationData ? "validation data" : $"{settings.ValidationFraction * 100:0.#}% held-out rows";
        string stopped = result.Converged
            ? $"{settings.Optimizer} converged after epoch {run}" + (result.BestEpoch < run ? $"; kept epoch {result.BestEpoch}, the best on the {watched}" : "")
            : run < epochs
            ? $"stopped early after epoch {run}; kept epoch {result.BestEpoch}, the best on the {watched}"
            : result.BestEpoch < epochs ? $"kept epoch {result.BestEpoch}, the best on the {watched}" : $"final loss {result.History[^1].Loss:G5}";
        string ensemble = result.EnsembleSize > 1 ? $" (the first of {result.EnsembleSize} networks)" : "";
        Info($"FeedForward training finished in {_clock.Elapsed.TotalSeconds:F2} s; {stopped}{ensemble}.");
        Diagnosis($"Diagnosis: {result.Diagnosis.Text}", result.Diagnosis);
    }

    /// <summary>The diagnosis: a warning when the model is worse than a constant prediction or the loss grew, else information.</summary>
    private void Diagnosis(string text, TrainingDiagnosis diagnosis)
    {
        if (diagnosis.Kind is DiagnosisKind.WorseThanConstant or DiagnosisKind.Diverging) channel?.Warning(MessageSensitivity.None, text);
        else Info(text);
    }

    private void Info(string message) => channel?.Info(MessageSensitivity.None, message);
}
