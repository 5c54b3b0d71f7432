namespace NeuralML.Training;

/// <summary>
/// The metric a task's users read beside the validation loss: ROC AUC for binary classification, accuracy for
/// multiclass, R² for regression (which standardising the targets does not change). Unweighted: every watched row
/// counts once.
/// </summary>
internal static class ValidationMetric
{
    /// <summary>The metric's name for a loss: "AUC", "accuracy" or "R²".</summary>
    public static string NameOf(LossKind loss) => loss switch
    {
        LossKind.BinaryCrossEntropy => "AUC",
        LossKind.SparseCategoricalCrossEntropy or LossKind.CategoricalCrossEntropy => "accuracy",
        _ => "R²",
    };

    /// <summary>The metric of <paramref name="rows"/> rows' logits (rows, outputs) against their targets; null where it is undefined (one class only, constant targets).</summary>
    public static double? Compute(LossKind loss, ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int rows, int outputs)
    {
        if (rows == 0) return null;
        return loss switch
        {
            LossKind.BinaryCrossEntropy => AreaUnderRocCurve(logits[..rows], targets[..rows]),
            LossKind.SparseCategoricalCrossEntropy or LossKind.CategoricalCrossEntropy => Accuracy(logits, targets, rows, outputs, sparse: loss == LossKind.SparseCategoricalCrossEntropy),
            _ => RSquared(logits[..rows], targets[..rows]),
        };
    }

    /// <summary>
    /// The probability that a random positive scores above a random negative (ties count half): the Mann–Whitney U
    /// statistic from the ranks of the scores, with tied scores sharing their average rank.
    /// </summary>
    public static double? AreaUnderRocCurve(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels)
    {
        int n = scores.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        float[] keys = scores.ToArray();
        Array.Sort(keys, order);
        double positiveRankSum = 0;
        long positives = 0;
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && keys[end] == keys[start]) end++;
            double rank = (start + 1 + end) / 2.0; // ranks start+1..end share their mean
            for (int k = start; k < end; k++)
            {
                if (labels[order[k]] > 0.5f)
                {
                    positiveRankSum += rank;
                    positives++;
                }
            }
            start = end;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) return null;
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>The fraction of rows whose most probable class is their label (sparse: a class index; else the target vector's largest).</summary>
    private static double Accuracy(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int rows, int outputs, bool sparse)
    {
        int correct = 0;
        for (int r = 0; r < rows; r++)
        {
            int label = sparse ? (int)targets[r] : ArgMax(targets.Slice(r * outputs, outputs));
            if (ArgMax(logits.Slice(r * outputs, outputs)) == label) correct++;
        }
        return (double)correct / rows;
    }

    private static double? RSquared(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets)
    {
        double mean = 0;
        foreach (float t in targets) mean += t;
        mean /= targets.Length;
        double residual = 0, total = 0;
        for (int i = 0; i < targets.Length; i++)
        {
            residual += ((double)targets[i] - predictions[i]) * ((double)targets[i] - predictions[i]);
            total += ((double)targets[i] - mean) * ((double)targets[i] - mean);
        }
        return total > 0 ? 1 - residual / total : null;
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int k = 1; k < values.Length; k++)
            if (values[k] > values[best]) best = k;
        return best;
    }
}
