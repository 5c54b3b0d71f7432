using System.Runtime.CompilerServices;

namespace NeuralML.Training;

/// <summary>
/// One mini-batch as the network sees it: features (standardised), targets, weights and the loss head's gradient,
/// allocated once per training run for the largest batch.
/// </summary>
internal sealed class BatchBuffers
{
    /// <param name="capacity">The most rows a batch holds.</param>
    /// <param name="featureCount">Features per row.</param>
    /// <param name="targetWidth">Targets per row.</param>
    /// <param name="outputs">Logits per row.</param>
    /// <param name="weighted">Whether a set with weights will be loaded.</param>
    /// <param name="dense">Whether a set with dense features will be loaded (else no dense feature buffer).</param>
    /// <param name="sparse">Whether a set with sparse features will be loaded (<see cref="Sparse"/>).</param>
    public BatchBuffers(int capacity, int featureCount, int targetWidth, int outputs, bool weighted, bool dense = true, bool sparse = false)
    {
        Capacity = capacity;
        TargetWidth = targetWidth;
        Features = dense ? new float[capacity * featureCount] : [];
        Sparse = sparse ? new SparseBatch(capacity, featureCount) : null;
        Targets = new float[capacity * targetWidth];
        Weights = weighted ? new float[capacity] : [];
        DLogits = new float[capacity * outputs];
    }

    /// <summary>The most rows a batch holds.</summary>
    public int Capacity { get; }

    public int TargetWidth { get; }

    /// <summary>(rows, features), standardised when the trainer standardises.</summary>
    public float[] Features { get; }

    /// <summary>The features of a batch of a sparse set (standardised when the trainer standardises); null when none is loaded.</summary>
    public SparseBatch? Sparse { get; }

    /// <summary>Whether the last <see cref="Load"/> put its features in <see cref="Sparse"/> rather than <see cref="Features"/>.</summary>
    public bool LoadedSparse { get; private set; }

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Load(ITrainingSet set, ReadOnlySpan<int> rows, Standardizer standardizer, bool standardizeFeatures)
    {
        int count = rows.Length;
        if (count > Capacity) throw new ArgumentException($"A batch holds at most {Capacity} rows; {count} were given.", nameof(rows));
        Span<float> weights = WeightsOf(set, count);
        LoadedSparse = set is InMemoryTrainingSet { Sparse: not null };
        if (LoadedSparse) LoadSparse((InMemoryTrainingSet)set, rows, standardizer, standardizeFeatures, weights);
        else
        {
            if (Features.Length < count * set.FeatureCount) throw new InvalidOperationException("These batch buffers hold no dense features.");
            set.CopyRows(rows, Features, Targets, weights);
            if (standardizeFeatures) standardizer.ApplyToFeatures(Features.AsSpan(0, count * set.FeatureCount));
        }
        standardizer.ApplyToTargets(Targets.AsSpan(0, count * TargetWidth));
        if (!set.HasWeights) return count;
        double sum = 0;
        foreach (float w in weights) sum += w;
        return sum;
    }

    private void LoadSparse(InMemoryTrainingSet set, ReadOnlySpan<int> rows, Standardizer standardizer, bool standardizeFeatures, Span<float> weights)
    {
        SparseBatch batch = Sparse ?? throw new InvalidOperationException("These batch buffers hold no sparse features.");
        set.CopyRows(rows, [], Targets, weights);
        batch.Load(set.Sparse!, rows);
        if (standardizeFeatures) standardizer.ApplyToSparse(batch.Values, batch.Indices);
    }

    /// <summary>The weights of the first <paramref name="rows"/> rows loaded from <paramref name="set"/>; empty when it has none (every row weighs 1).</summary>
    public Span<float> WeightsOf(ITrainingSet set, int rows) => set.HasWeights ? Weights.AsSpan(0, rows) : [];
}
