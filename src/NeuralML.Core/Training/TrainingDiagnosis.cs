namespace NeuralML.Training;

/// <summary>What the diagnosis found.</summary>
internal enum DiagnosisKind
{
    /// <summary>None of the problems below.</summary>
    None,

    /// <summary>The training loss grew: the learning rate is too high.</summary>
    Diverging,

    /// <summary>The training loss is still high and no longer falls: the network is too small or trained too briefly.</summary>
    Underfitting,

    /// <summary>The validation loss rose while the training loss fell: the network learns the training rows' noise.</summary>
    Overfitting,

    /// <summary>The final training loss is above a constant prediction's: the model is worse than predicting the mean or the class frequencies.</summary>
    WorseThanConstant,
}

/// <summary>
/// A diagnosis of a finished training run from the rules users learn first, applied to its history: a training loss
/// above a constant prediction's (the model is worse than the mean), one that grew (lower the learning rate), one still high and flat (add capacity), a validation loss rising while the
/// training loss falls (regularise or stop earlier).
/// </summary>
internal sealed record TrainingDiagnosis(DiagnosisKind Kind, string Text)
{
    /// <summary>Final training loss above this multiple of its minimum: the loss grew.</summary>
    public const double GrowthFactor = 1.5;

    /// <summary>Final training loss at or above this fraction of a constant prediction's loss: still high.</summary>
    public const double HighLossFraction = 0.7;

    /// <summary>Relative fall of the training loss over the last quarter of the epochs below this: flat.</summary>
    public const double FlatImprovement = 0.02;

    /// <summary>Final validation loss at or above this multiple of its minimum, with the training loss 10% lower than then: rising.</summary>
    public const double RiseFactor = 1.1;

    /// <param name="history">The epochs run, at least one.</param>
    /// <param name="keptEpoch">The epoch whose parameters the model keeps.</param>
    /// <param name="constantLoss">The training loss of the best constant prediction (the class frequencies, the mean label).</param>
    public static TrainingDiagnosis Of(IReadOnlyList<EpochReport> history, int keptEpoch, double constantLoss)
    {
        EpochReport last = history[^1];
        double minimum = history.Min(h => h.Loss);
        if (constantLoss > 0 && last.Loss > constantLoss)
            return new(DiagnosisKind.WorseThanConstant,
                $"The final training loss {last.Loss:G4} is above a constant prediction's {constantLoss:G4}: the model predicts worse than the mean " +
                $"(or the class frequencies) would. The steps are most likely far too large (learning rate {last.LearningRate:G3} at the end): " +
                "lower LearningRate (e.g. tenfold), or leave it to the trainer (null).");
        if (last.Loss > GrowthFactor * minimum)
            return new(DiagnosisKind.Diverging,
                $"The training loss grew from {minimum:G4} to {last.Loss:G4} (learning rate {last.LearningRate:G3} at the end): the steps are too large. " +
                "Lower LearningRate (e.g. tenfold), use a decaying LearningRateSchedule, or set GradientClipNorm.");

        double fraction = constantLoss > 0 ? last.Loss / constantLoss : 0;
        if (history.Count >= 4 && fraction >= HighLossFraction)
        {
            double quarterAgo = history[history.Count - 1 - history.Count / 4].Loss;
            if (quarterAgo - last.Loss < FlatImprovement * quarterAgo)
                return new(DiagnosisKind.Underfitting,
                    $"The training loss is still high and flat: {last.Loss:G4}, {fraction:P0} of a constant prediction's {constantLoss:G4}, and it fell by under " +
                    $"{FlatImprovement:P0} over the last {history.Count / 4} epochs. The network underfits: add width or layers (HiddenLayers), " +
                    "train longer, or raise LearningRate.");
        }

        EpochReport? best = null;
        foreach (EpochReport epoch in history)
            if (epoch.ValidationLoss is double v && (best is null || v < best.Value.ValidationLoss)) best = epoch;
        if (best is { } b && last.ValidationLoss is double final && final >= RiseFactor * b.ValidationLoss!.Value && last.Loss <= 0.9 * b.Loss)
            return new(DiagnosisKind.Overfitting,
                $"The validation loss rose from {b.ValidationLoss:G4} (epoch {b.Epoch}) to {final:G4} while the training loss fell from {b.Loss:G4} to {last.Loss:G4}: " +
                "the network overfits. Regularise (L2Regularization, WeightDecay, DropoutRate), use fewer or narrower layers, or stop earlier " +
                $"(EarlyStoppingRounds); the model keeps epoch {keptEpoch}.");

        string validation = history.Any(h => h.ValidationLoss is not null) && best is { } kept
            ? $", the validation loss to {kept.ValidationLoss:G4} at epoch {kept.Epoch}" : "";
        return new(DiagnosisKind.None,
            $"No problem found: the training loss fell to {last.Loss:G4} ({fraction:P0} of a constant prediction's){validation}.");
    }
}
