namespace NeuralML.Training;

/// <summary>
/// Training rows that are read in passes rather than held in memory: streaming training reads every row once per
/// epoch. Each row has an identity that is the same in every pass, whatever order a pass reads the rows in.
/// </summary>
internal interface IRowStream
{
    int FeatureCount { get; }

    /// <summary>Target values per row: 1 for binary, sparse multiclass and regression.</summary>
    int TargetWidth { get; }

    bool HasWeights { get; }

    /// <summary>
    /// Starts one pass over every row: in storage order when <paramref name="shuffleSeed"/> is null, otherwise in an
    /// order the source may draw from the seed (the same order for the same seed), or in storage order if it cannot.
    /// </summary>
    IRowStreamPass Open(int? shuffleSeed);
}

/// <summary>One pass over a <see cref="IRowStream"/>.</summary>
internal interface IRowStreamPass : IDisposable
{
    /// <summary>
    /// Reads the next rows, at most as many as <paramref name="ids"/> holds, into (rows, features) features, (rows,
    /// target width) targets, (rows) weights (ignored when the stream has none) and each row's identity. Returns how many
    /// rows it read: 0 at the end of the pass.
    /// </summary>
    int Read(Span<float> features, Span<float> targets, Span<float> weights, Span<ulong> ids);
}
