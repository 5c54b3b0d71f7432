namespace NeuralML.Training;

/// <summary>A training set held in memory: features as a dense row-major array or, for wide sparse data, in CSR form (<see cref="Sparse"/>).</summary>
internal sealed class InMemoryTrainingSet : ITrainingSet
{
    private readonly float[] _features, _targets;
    private readonly float[]? _weights;

    /// <param name="features">(rows, featureCount)</param>
    /// <param name="targets">(rows, targetWidth)</param>
    /// <param name="weights">(rows), or null for weight 1</param>
    /// <param name="featureCount">values per row</param>
    /// <param name="targetWidth">targets per row</param>
    /// <param name="trainerMayModify">true when the arrays are a private copy the trainer may standardise in place</param>
    public InMemoryTrainingSet(float[] features, float[] targets, float[]? weights, int featureCount, int targetWidth = 1, bool trainerMayModify = false)
    {
        TrainerMayModify = trainerMayModify;
        if (featureCount <= 0) throw new ArgumentOutOfRangeException(nameof(featureCount));
        if (features.Length % featureCount != 0) throw new ArgumentException("Features are not a whole number of rows.", nameof(features));
        RowCount = features.Length / featureCount;
        if (targets.Length != RowCount * targetWidth) throw new ArgumentException("Targets do not match the number of rows.", nameof(targets));
        if (weights is not null && weights.Length != RowCount) throw new ArgumentException("Weights do not match the number of rows.", nameof(weights));
        _features = features;
        _targets = targets;
        _weights = weights;
        FeatureCount = featureCount;
        TargetWidth = targetWidth;
    }

    /// <summary>A training set whose features are sparse (CSR); <see cref="CopyRows"/> writes them densely, <see cref="Sparse"/> gives them as they are.</summary>
    /// <param name="features">the rows' features</param>
    /// <param name="targets">(rows, targetWidth)</param>
    /// <param name="weights">(rows), or null for weight 1</param>
    /// <param name="targetWidth">targets per row</param>
    /// <param name="trainerMayModify">true when the values are a private copy the trainer may standardise in place</param>
    public InMemoryTrainingSet(SparseFeatures features, float[] targets, float[]? weights, int targetWidth = 1, bool trainerMayModify = false)
        : this([], targets, weights, features.Columns, targetWidth, trainerMayModify, features)
    {
    }

    private InMemoryTrainingSet(float[] features, float[] targets, float[]? weights, int featureCount, int targetWidth, bool trainerMayModify, SparseFeatures sparse)
    {
        TrainerMayModify = trainerMayModify;
        RowCount = sparse.RowCount;
        if (targets.Length != RowCount * targetWidth) throw new ArgumentException("Targets do not match the number of rows.", nameof(targets));
        if (weights is not null && weights.Length != RowCount) throw new ArgumentException("Weights do not match the number of rows.", nameof(weights));
        (_features, _targets, _weights, FeatureCount, TargetWidth, Sparse) = (features, targets, weights, featureCount, targetWidth, sparse);
    }

    /// <summary>The same rows with dense features (this set when they are dense already).</summary>
    public InMemoryTrainingSet ToDense()
    {
        if (Sparse is null) return this;
        var features = new float[(long)RowCount * FeatureCount];
        for (int r = 0; r < RowCount; r++) Sparse.CopyDense(r, features.AsSpan(r * FeatureCount, FeatureCount));
        return new(features, _targets, _weights, FeatureCount, TargetWidth, trainerMayModify: true);
    }

    /// <summary>The features in CSR form when the set is sparse; null when they are dense.</summary>
    public SparseFeatures? Sparse { get; }

    public int RowCount { get; }

    public int FeatureCount { get; }

    public int TargetWidth { get; }

    public bool HasWeights => _weights is not null;

    /// <summary>Whether <see cref="OwnedFeatures"/> may be used: the arrays are the trainer's to change.</summary>
    public bool TrainerMayModify { get; }

    /// <summary>The targets, (rows, TargetWidth).</summary>
    public ReadOnlySpan<float> Targets => _targets;

    /// <summary>The weights, (rows), or empty when every row weighs 1.</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>The same rows with other weights (the arrays are shared, not copied).</summary>
    public InMemoryTrainingSet WithWeights(float[] weights) => Sparse is { } sparse
        ? new(_features, _targets, weights, FeatureCount, TargetWidth, TrainerMayModify, sparse)
        : new(_features, _targets, weights, FeatureCount, TargetWidth, TrainerMayModify);

    /// <summary>The features themselves, (rows, FeatureCount), or a sparse set's stored values, for a trainer that may change them in place.</summary>
    public Span<float> OwnedFeatures
        => TrainerMayModify ? Sparse?.Values ?? _features : throw new InvalidOperationException("This training set's features belong to the caller.");

    /// <summary>
    /// The dense features, (rows, FeatureCount), the set's own array (empty when the set is sparse): for passes that
    /// read every row in place. Changing it is for a trainer that may (<see cref="TrainerMayModify"/>).
    /// </summary>
    public float[] DenseFeatures => Sparse is null ? _features : [];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void CopyRows(ReadOnlySpan<int> rows, Span<float> features, Span<float> targets, Span<float> weights)
    {
        // Empty features: the caller wants the targets and weights only.
        bool copyFeatures = !features.IsEmpty;
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            if (copyFeatures && Sparse is { } sparse) sparse.CopyDense(row, features.Slice(i * FeatureCount, FeatureCount));
            else if (copyFeatures) _features.AsSpan(row * FeatureCount, FeatureCount).CopyTo(features.Slice(i * FeatureCount, FeatureCount));
            _targets.AsSpan(row * TargetWidth, TargetWidth).CopyTo(targets.Slice(i * TargetWidth, TargetWidth));
            if (_weights is not null) weights[i] = _weights[row];
        }
    }
}
