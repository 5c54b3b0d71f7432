using System.Runtime.CompilerServices;
using Microsoft.ML;
using NeuralML.Columns;
using NeuralML.Training;

namespace NeuralML.Reading;

/// <summary>
/// Reads an <see cref="IDataView"/> into an in-memory training set with one cursor over the needed columns
/// (<see cref="CheckedRows"/>), unless the copy would not fit the memory budget: then it says so, and the trainer
/// streams the view instead. Narrow features are read densely; wide ones (at least <see cref="SparseInput.MinColumns"/>
/// slots) through <see cref="FeatureAccumulator"/>, which keeps them sparse (CSR) while <see cref="SparseInput"/>'s
/// density rule holds.
/// </summary>
internal static class TrainingDataReader
{
    /// <summary>What was read: the set (null when it did not fit the budget), rows skipped for a missing label, rows of each class with a positive weight.</summary>
    public sealed record Result(InMemoryTrainingSet? Data, long SkippedRows, int[] RowsPerClass)
    {
        /// <summary>The set, which a read without a budget always has.</summary>
        public InMemoryTrainingSet Set => Data ?? throw new InvalidOperationException("The data did not fit the memory budget.");
    }

    /// <summary>Rows per block when the view does not know its row count.</summary>
    private const int BlockRows = 8192;

    /// <param name="data">The view.</param>
    /// <param name="task">The task's columns.</param>
    /// <param name="columns">The checked feature, label and weight columns.</param>
    /// <param name="classCount">Classes of the label (2 for binary).</param>
    /// <param name="budgetBytes">The most bytes the copy may take; when the view's rows need more, reading stops and the result has no set.</param>
    /// <param name="cancellation">Checked while reading.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Result Read(IDataView data, TaskColumns task, TrainingColumns columns, int classCount, long budgetBytes = long.MaxValue,
        TrainingCancellation cancellation = default)
    {
        PredictionKind kind = task.Kind;
        int featureCount = columns.FeatureCount;
        if (featureCount >= SparseInput.MinColumns) return ReadWide(data, kind, columns, classCount, budgetBytes, cancellation);
        bool weighted = columns.Weight is not null;
        long rowBytes = RowBytes(featureCount, weighted);
        long maxRows = Math.Min(budgetBytes / rowBytes, Array.MaxLength / Math.Max(featureCount, 1));
        long? knownRows = data.GetRowCount();
        if (knownRows > maxRows) return new Result(null, 0, []);

        // A view that knows its row count is read straight into one array of that size; one that does not is read
        // into blocks, copied once into one array at the end (no counting pass over the view, which may be costly).
        int capacity = knownRows is long known ? (int)Math.Max(known, 1) : (int)Math.Min(BlockRows, Math.Max(maxRows, 1));
        var blocks = new List<(float[] Features, float[] Targets, float[]? Weights)>();
        PrefaultedArray? prefaulted = knownRows is null ? null : new PrefaultedArray((long)capacity * featureCount);
        (float[] Features, float[] Targets, float[]? Weights) current = prefaulted is null
            ? NewBlock(capacity, featureCount, weighted)
            : (prefaulted.Array, new float[capacity], weighted ? new float[capacity] : null);
        int inBlock = 0;
        long count = 0;
        using var rows = new CheckedRows(data, columns, kind, classCount, rand: null, cancellation);
        try
        {
            while (rows.MoveNext())
            {
                if (inBlock == current.Targets.Length)
                {
                    if (count + BlockRows > maxRows) return new Result(null, rows.Skipped, rows.RowsPerClass);
                    blocks.Add(current);
                    current = NewBlock(BlockRows, featureCount, weighted);
                    inBlock = 0;
                }
                rows.CopyFeaturesTo(current.Features.AsSpan(inBlock * featureCount, featureCount));
                current.Targets[inBlock] = rows.Target;
                if (current.Weights is not null) current.Weights[inBlock] = rows.Weight;
                inBlock++;
                count++;
            }
        }
        finally
        {
            prefaulted?.Finish();
        }

        rows.CheckUsable();
        blocks.Add(current);
        (float[] features, float[] targets, float[]? weights) = Join(blocks, (int)count, featureCount);
        return new Result(new InMemoryTrainingSet(features, targets, weights, featureCount, trainerMayModify: true), rows.Skipped, rows.RowsPerClass);
    }

    /// <summary>
    /// Wide features, kept sparse or made dense by <see cref="FeatureAccumulator"/> as the measured density decides; the
    /// budget applies once they are dense (a sparse copy holds only the non-zeros).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Result ReadWide(IDataView data, PredictionKind kind, TrainingColumns columns, int classCount, long budgetBytes, TrainingCancellation cancellation)
    {
        int featureCount = columns.FeatureCount;
        long rowBytes = RowBytes(featureCount, columns.Weight is not null);
        long? knownRows = data.GetRowCount();
        var features = new FeatureAccumulator(featureCount, Math.Clamp(knownRows ?? 0, 0, Array.MaxLength),
            mayGuessDense: knownRows is long known && known <= budgetBytes / rowBytes);
        var targets = new float[Math.Clamp(knownRows ?? BlockRows, 1, Array.MaxLength)];
        float[]? weights = columns.Weight is null ? null : new float[targets.Length];
        int count = 0;
        using var rows = new CheckedRows(data, columns, kind, classCount, rand: null, cancellation);
        while (rows.MoveNext())
        {
            if (count == targets.Length)
            {
                int capacity = (int)Math.Min((long)count * 2, Array.MaxLength);
                if (capacity <= count) throw new InvalidOperationException($"The training data has more rows than one in-memory copy can hold ({count}).");
                Array.Resize(ref targets, capacity);
                if (weights is not null) Array.Resize(ref weights, capacity);
            }
            features.Add(rows.Features());
            if (!features.IsSparse && (long)features.Rows * rowBytes > budgetBytes) return new Result(null, rows.Skipped, rows.RowsPerClass);
            targets[count] = rows.Target;
            if (weights is not null) weights[count] = rows.Weight;
            count++;
        }
        rows.CheckUsable();
        if (count < targets.Length)
        {
            Array.Resize(ref targets, count);
            if (weights is not null) Array.Resize(ref weights, count);
        }
        return new Result(features.Build(targets, weights), rows.Skipped, rows.RowsPerClass);
    }

    /// <summary>The bytes one row of the in-memory copy takes.</summary>
    public static long RowBytes(int featureCount, bool weighted) => sizeof(float) * ((long)featureCount + 1 + (weighted ? 1 : 0));

    private static (float[], float[], float[]?) NewBlock(int rows, int featureCount, bool weighted)
        => (new float[(long)rows * featureCount], new float[rows], weighted ? new float[rows] : null);

    /// <summary>The blocks' first <paramref name="count"/> rows as one set of arrays (the only block itself when it is exactly full).</summary>
    private static (float[], float[], float[]?) Join(List<(float[] Features, float[] Targets, float[]? Weights)> blocks, int count, int featureCount)
    {
        if (blocks.Count == 1 && blocks[0].Targets.Length == count) return blocks[0];
        var fresh = new PrefaultedArray((long)count * featureCount);
        float[] features = fresh.Array;
        var targets = new float[count];
        float[]? weights = blocks[0].Weights is null ? null : new float[count];
        int at = 0;
        foreach ((float[] f, float[] t, float[]? w) in blocks)
        {
            int n = Math.Min(t.Length, count - at);
            f.AsSpan(0, n * featureCount).CopyTo(features.AsSpan(at * featureCount));
            t.AsSpan(0, n).CopyTo(targets.AsSpan(at));
            w?.AsSpan(0, n).CopyTo(weights.AsSpan(at));
            at += n;
        }
        fresh.Finish();
        return (features, targets, weights);
    }
}
