using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Columns;
using NeuralML.Numerics;
using NeuralML.Training;

namespace NeuralML.Reading;

/// <summary>
/// Reads an <see cref="IDataView"/> into an in-memory training set with one cursor over the needed columns:
/// features (kept sparse or made dense by <see cref="SparseInput"/>'s rule, in <see cref="FeatureAccumulator"/>), the label as a target (Boolean → 0/1, key → class index, Single as is) and optional weights.
/// Rows with a missing label are skipped and counted; a non-finite feature or a bad weight stops with an exception
/// that names the column, the row and the value.
/// </summary>
internal static class TrainingDataReader
{
    public sealed record Result(InMemoryTrainingSet Data, long SkippedRows, int[] RowsPerClass);

    /// <summary>Rows read between two checks for cancellation.</summary>
    private const int CancellationCheckRows = 4096;

    public static Result Read(IDataView data, TaskColumns task, string featureColumnName, string labelColumnName,
        string? weightColumnName, int classCount, TrainingCancellation cancellation = default)
    {
        DataViewSchema schema = data.Schema;
        PredictionKind kind = task.Kind;
        DataViewSchema.Column featureColumn = ColumnChecks.CheckFeature(schema, featureColumnName);
        DataViewSchema.Column labelColumn = task.CheckLabel(schema, labelColumnName);
        DataViewSchema.Column? weightColumn = weightColumnName is null ? null : ColumnChecks.CheckWeight(schema, weightColumnName);
        int featureCount = ((VectorDataViewType)featureColumn.Type).Size;

        var columns = new List<DataViewSchema.Column> { featureColumn, labelColumn };
        if (weightColumn is { } w) columns.Add(w);
        // One copy, sized up front: from the view's row count, or from a first pass over the label alone when the view
        // does not know it (growing by doubling would hold 1.5 copies at the last resize).
        long knownRows = data.GetRowCount() ?? CountRows(data, labelColumn);
        long expectedRows = Math.Clamp(knownRows, 1, Array.MaxLength);
        var features = new FeatureAccumulator(featureCount, expectedRows);
        var targets = new float[expectedRows];
        var weights = weightColumn is null ? null : new float[expectedRows];
        int count = 0;
        double totalWeight = 0;
        var rowsPerClass = new int[kind == PredictionKind.Regression ? 0 : Math.Max(classCount, 2)];
        long skipped = 0;

        using DataViewRowCursor cursor = data.GetRowCursor(columns);
        ValueGetter<VBuffer<float>> getFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
        Func<float> getTarget = TargetGetter(cursor, labelColumn, kind);
        ValueGetter<float>? getWeight = weightColumn is { } wc ? cursor.GetGetter<float>(wc) : null;
        VBuffer<float> row = default;
        while (cursor.MoveNext())
        {
            if (cursor.Position % CancellationCheckRows == 0) cancellation.ThrowIfRequested();
            float target = getTarget();
            if (float.IsNaN(target))
            {
                skipped++;
                continue;
            }
            float weight = 1f;
            if (getWeight is not null)
            {
                getWeight(ref weight);
                if (!(weight >= 0f) || !float.IsFinite(weight))
                    throw new InvalidOperationException(
                        $"Weight column '{weightColumnName}' has the value {weight} at row {cursor.Position}; weights must be finite and non-negative.");
            }
            getFeatures(ref row);
            CheckFinite(row, featureColumnName, cursor.Position);
            if (count == targets.Length)
            {
                int capacity = (int)Math.Min((long)count * 2, Array.MaxLength);
                if (capacity <= count) throw new InvalidOperationException($"The training data has more rows than one in-memory copy can hold ({count}).");
                Array.Resize(ref targets, capacity);
                if (weights is not null) Array.Resize(ref weights, capacity);
            }
            features.Add(row);
            targets[count] = target;
            if (weights is not null) weights[count] = weight;
            // Rows of weight 0 do not count towards a class: they cannot teach it.
            if (rowsPerClass.Length > 0 && weight > 0) rowsPerClass[(int)target]++;
            totalWeight += weight;
            count++;
        }

        if (count == 0)
            throw new InvalidOperationException(skipped > 0
                ? $"The training data has no usable rows: all {skipped} rows have a missing value in label column '{labelColumnName}'."
                : "The training data is empty: a FeedForward trainer needs at least one row.");
        if (totalWeight <= 0)
            throw new InvalidOperationException($"Every training row has weight 0 in weight column '{weightColumnName}'; at least one row needs a positive weight.");
        if (count < targets.Length)
        {
            Array.Resize(ref targets, count);
            if (weights is not null) Array.Resize(ref weights, count);
        }
        InMemoryTrainingSet set = features.Build(targets, weights);
        return new Result(set, skipped, rowsPerClass);
    }

    private static long CountRows(IDataView data, DataViewSchema.Column label)
    {
        using DataViewRowCursor cursor = data.GetRowCursor([label]);
        long count = 0;
        while (cursor.MoveNext()) count++;
        return count;
    }

    private static void CheckFinite(in VBuffer<float> row, string column, long position)
    {
        ReadOnlySpan<float> values = row.GetValues();
        int i = FiniteCheck.IndexOfNonFinite(values);
        if (i >= 0)
        {
            int slot = row.IsDense ? i : row.GetIndices()[i];
            throw new InvalidOperationException(
                $"Feature column '{column}' has the value {values[i]} in slot {slot} of row {position}; NeuralML needs finite features. " +
                "Replace missing values first, e.g. with mlContext.Transforms.ReplaceMissingValues, or filter those rows out.");
        }
    }

    /// <summary>A reader of the label as a float target: NaN marks a missing label.</summary>
    private static Func<float> TargetGetter(DataViewRowCursor cursor, DataViewSchema.Column label, PredictionKind kind)
    {
        switch (kind)
        {
            case PredictionKind.BinaryClassification:
            {
                ValueGetter<bool> get = cursor.GetGetter<bool>(label);
                bool value = false;
                return () =>
                {
                    get(ref value);
                    return value ? 1f : 0f;
                };
            }
            case PredictionKind.MulticlassClassification:
            {
                ValueGetter<uint> get = cursor.GetGetter<uint>(label);
                uint value = 0;
                // Key 0 is ML.NET's missing value; keys 1..K are the classes 0..K−1.
                return () =>
                {
                    get(ref value);
                    return value == 0 ? float.NaN : value - 1;
                };
            }
            default:
            {
                ValueGetter<float> get = cursor.GetGetter<float>(label);
                float value = 0;
                return () =>
                {
                    get(ref value);
                    return float.IsFinite(value) ? value : float.NaN;
                };
            }
        }
    }
}
