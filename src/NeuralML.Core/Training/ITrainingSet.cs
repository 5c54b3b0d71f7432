namespace NeuralML.Training;

/// <summary>
/// Where training rows come from: dense feature rows, targets and optional weights, addressed by row index so that
/// the trainer can visit them in a fresh shuffled order every epoch.
/// </summary>
internal interface ITrainingSet
{
    int RowCount { get; }

    int FeatureCount { get; }

    /// <summary>Target values per row: 1 for binary, sparse multiclass and regression.</summary>
    int TargetWidth { get; }

    bool HasWeights { get; }

    /// <summary>
    /// Copies the given rows, in order, into (rows, FeatureCount) features, (rows, TargetWidth) targets and (rows)
    /// weights; with empty <paramref name="features"/>, only the targets and weights.
    /// </summary>
    void CopyRows(ReadOnlySpan<int> rows, Span<float> features, Span<float> targets, Span<float> weights);
}
