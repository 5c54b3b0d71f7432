namespace NeuralML.Training;

/// <summary>
/// One mini-batch as the network sees it: features (standardised), targets, weights and the loss head's gradient,
/// allocated once per training run for the largest batch.
/// </summary>
internal sealed class BatchBuffers
{
    public BatchBuffers(int capacity, int featureCount, int targetWidth, int outputs, bool weighted)
    {
        Capacity = capacity;
        TargetWidth = targetWidth;
        Features = new float[capacity * featureCount];
        Targets = new float[capacity * targetWidth];
        Weights = weighted ? new float[capacity] : [];
        DLogits = new float[capacity * outputs];
    }

    /// <summary>The most rows a batch holds.</summary>
    public int Capacity { get; }

    public int TargetWidth { get; }

    /// <summary>(rows, features), standardised when the trainer standardises.</summary>
    public float[] Features { get; }

    /// <summary>(rows, target width), standardised for regression.</summary>
    public float[] Targets { get; }

    /// <summary>(rows) when a set with weights was loaded last, else unused.</summary>
    public float[] Weights { get; }

    /// <summary>(rows, outputs): ∂loss/∂logits from the loss head.</summary>
    public float[] DLogits { get; }

    /// <summary>
    /// Copies <paramref name="rows"/> of <paramref name="set"/>, in order, and standardises them as the network sees
    /// them (the features only when <paramref name="standardizeFeatures"/>: a set standardised in place once needs
    /// no more). Returns the batch's total weight (the row count when the set has no weights).
    /// </summary>
    public double Load(ITrainingSet set, ReadOnlySpan<int> rows, Standardizer standardizer, bool standardizeFeatures)
    {
        int count = rows.Length;
        if (count > Capacity) throw new ArgumentException($"A batch holds at most {Capacity} rows; {count} were given.", nameof(rows));
        Span<float> weights = WeightsOf(set, count);
        set.CopyRows(rows, Features, Targets, weights);
        if (standardizeFeatures) standardizer.ApplyToFeatures(Features.AsSpan(0, count * set.FeatureCount));
        standardizer.ApplyToTargets(Targets.AsSpan(0, count * TargetWidth));
        if (!set.HasWeights) return count;
        double sum = 0;
        foreach (float w in weights) sum += w;
        return sum;
    }

    /// <summary>The weights of the first <paramref name="rows"/> rows loaded from <paramref name="set"/>; empty when it has none (every row weighs 1).</summary>
    public Span<float> WeightsOf(ITrainingSet set, int rows) => set.HasWeights ? Weights.AsSpan(0, rows) : [];
}
