namespace NeuralML.Training;

/// <summary>
/// What streaming training learns about its rows before the first epoch, in one pass in storage order (two when the
/// features are standardised): the row count, the standardisation's statistics (from every row, as in memory), the rows
/// held out for early stopping (each row by a seeded hash of its identity, up to a capacity, kept in memory) and the
/// targets of a sample of training rows (the first ones) for the constant prediction's loss.
/// </summary>
internal sealed class StreamSurvey
{
    private const int ReadRows = 4096;

    private StreamSurvey(long rows, long trainingRows, Standardizer standardizer, InMemoryTrainingSet? heldOut, HashSet<ulong> heldOutIds,
        float[] sampleTargets, float[] sampleWeights, int sampleRows)
    {
        Rows = rows;
        TrainingRows = trainingRows;
        Standardizer = standardizer;
        HeldOut = heldOut;
        HeldOutIds = heldOutIds;
        SampleTargets = sampleTargets;
        SampleWeights = sampleWeights;
        SampleRows = sampleRows;
    }

    /// <summary>Every row of the stream.</summary>
    public long Rows { get; }

    /// <summary>The rows that train: all but the held-out ones.</summary>
    public long TrainingRows { get; }

    public Standardizer Standardizer { get; }

    /// <summary>The held-out rows, or null when none are held out.</summary>
    public InMemoryTrainingSet? HeldOut { get; }

    /// <summary>The held-out rows' identities, which every epoch skips.</summary>
    public HashSet<ulong> HeldOutIds { get; }

    /// <summary>The raw targets (rows, width) of the first training rows.</summary>
    public float[] SampleTargets { get; }

    /// <summary>Their weights, or empty.</summary>
    public float[] SampleWeights { get; }

    public int SampleRows { get; }

    /// <param name="stream">The rows.</param>
    /// <param name="settings">What is standardised; the seed of the hold-out's hash.</param>
    /// <param name="heldOutFraction">The fraction of rows to hold out (0 for none).</param>
    /// <param name="heldOutCapacity">The most rows held out (the first ones the hash picks, in storage order).</param>
    /// <param name="sampleCapacity">The most rows whose targets are sampled.</param>
    /// <param name="cancellation">Checked between reads.</param>
    public static StreamSurvey Run(IRowStream stream, TrainingSettings settings, double heldOutFraction, int heldOutCapacity, int sampleCapacity,
        TrainingCancellation cancellation)
    {
        int width = stream.FeatureCount, targetWidth = stream.TargetWidth;
        bool weighted = stream.HasWeights;
        var features = new float[ReadRows * width];
        var targets = new float[ReadRows * targetWidth];
        var weights = weighted ? new float[ReadRows] : [];
        var ids = new ulong[ReadRows];
        var statistics = new Standardizer.Statistics(width, targetWidth, settings);
        var heldOutFeatures = new List<float>();
        var heldOutTargets = new List<float>();
        var heldOutWeights = new List<float>();
        var heldOutIds = new HashSet<ulong>();
        var sampleTargets = new List<float>();
        var sampleWeights = new List<float>();
        long rows = 0;
        ulong threshold = (ulong)(Math.Clamp(heldOutFraction, 0, 1) * ulong.MaxValue);
        using (IRowStreamPass pass = stream.Open(shuffleSeed: null))
        {
            int read;
            while ((read = pass.Read(features, targets, weights, ids)) > 0)
            {
                cancellation.ThrowIfRequested();
                rows += read;
                statistics.AddFirstPass(features, targets, weighted ? weights : [], read);
                for (int i = 0; i < read; i++)
                {
                    if (heldOutFraction > 0 && heldOutIds.Count < heldOutCapacity && Hash(settings.Seed, ids[i]) < threshold && heldOutIds.Add(ids[i]))
                    {
                        heldOutFeatures.AddRange(features.AsSpan(i * width, width));
                        heldOutTargets.AddRange(targets.AsSpan(i * targetWidth, targetWidth));
                        if (weighted) heldOutWeights.Add(weights[i]);
                    }
                    else if (sampleTargets.Count < (long)sampleCapacity * targetWidth)
                    {
                        sampleTargets.AddRange(targets.AsSpan(i * targetWidth, targetWidth));
                        if (weighted) sampleWeights.Add(weights[i]);
                    }
                }
            }
        }
        if (statistics.NeedsSecondPass && rows > 0)
        {
            statistics.EndFirstPass();
            using IRowStreamPass pass = stream.Open(shuffleSeed: null);
            int read;
            while ((read = pass.Read(features, targets, weights, ids)) > 0)
            {
                cancellation.ThrowIfRequested();
                statistics.AddSecondPass(features, read);
            }
        }
        // A hold-out must leave most rows to train on.
        if (heldOutIds.Count > rows - heldOutIds.Count)
        {
            heldOutIds.Clear();
            heldOutFeatures.Clear();
        }
        InMemoryTrainingSet? heldOut = heldOutIds.Count == 0 ? null
            : new InMemoryTrainingSet(heldOutFeatures.ToArray(), heldOutTargets.ToArray(), weighted ? heldOutWeights.ToArray() : null, width, targetWidth, trainerMayModify: true);
        return new StreamSurvey(rows, rows - heldOutIds.Count, statistics.Finish(), heldOut, heldOutIds, sampleTargets.ToArray(), sampleWeights.ToArray(),
            sampleTargets.Count / targetWidth);
    }

    /// <summary>A row's place in [0, 2⁶⁴): SplitMix64's finaliser of its identity and the seed.</summary>
    private static ulong Hash(long seed, ulong id)
        => Numerics.Xoshiro256StarStar.Mix(unchecked(id + (ulong)seed * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL));
}
