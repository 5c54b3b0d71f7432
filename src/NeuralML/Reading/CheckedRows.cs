using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Columns;
using NeuralML.Numerics;

namespace NeuralML.Reading;

/// <summary>
/// The training columns of a cursor's rows, checked as they are read: the label as a target (Boolean → 0/1, key →
/// class index, Single as is; rows with a missing label are skipped and counted), the weight (finite, non-negative,
/// 1 without a weight column) and the features (finite; dense or sparse, written densely). Every bad value stops
/// with an exception that names the column, the row and the value. It also counts what it read (rows, their total
/// weight, the rows of each class with a positive weight) and says when that cannot train (<see cref="CheckUsable"/>).
/// Both the in-memory reader and streaming read through it, so both accept and refuse the same rows.
/// </summary>
internal sealed class CheckedRows : IDisposable
{
    /// <summary>Rows read between two checks for cancellation.</summary>
    private const int CancellationCheckRows = 4096;

    private readonly DataViewRowCursor _cursor;
    private readonly ValueGetter<VBuffer<float>> _getFeatures;
    private readonly Func<float> _getTarget;
    private readonly ValueGetter<float>? _getWeight;
    private ValueGetter<DataViewRowId>? _getId;
    private readonly string _featureColumn, _labelColumn;
    private readonly string? _weightColumn;
    private readonly Training.TrainingCancellation _cancellation;
    private VBuffer<float> _row;

    /// <param name="data">The view to read.</param>
    /// <param name="columns">The feature, label and weight columns.</param>
    /// <param name="kind">How the label becomes a target.</param>
    /// <param name="classCount">Classes of the label (2 for binary; unused for regression).</param>
    /// <param name="rand">Asks the view for a shuffled cursor; null for storage order.</param>
    /// <param name="cancellation">Checked every <see cref="CancellationCheckRows"/> rows.</param>
    public CheckedRows(IDataView data, TrainingColumns columns, PredictionKind kind, int classCount, Random? rand, Training.TrainingCancellation cancellation)
    {
        _featureColumn = columns.Feature.Name;
        _labelColumn = columns.Label.Name;
        RowsPerClass = new int[kind == PredictionKind.Regression ? 0 : Math.Max(classCount, 2)];
        _weightColumn = columns.Weight?.Name;
        _cancellation = cancellation;
        var needed = new List<DataViewSchema.Column> { columns.Feature, columns.Label };
        if (columns.Weight is { } w) needed.Add(w);
        _cursor = data.GetRowCursor(needed, rand);
        _getFeatures = _cursor.GetGetter<VBuffer<float>>(columns.Feature);
        _getTarget = TargetGetter(_cursor, columns.Label, kind);
        _getWeight = columns.Weight is { } wc ? _cursor.GetGetter<float>(wc) : null;
    }

    /// <summary>The current row's target.</summary>
    public float Target { get; private set; }

    /// <summary>The current row's weight (1 without a weight column).</summary>
    public float Weight { get; private set; } = 1f;

    /// <summary>Rows skipped so far for a missing label.</summary>
    public long Skipped { get; private set; }

    /// <summary>Rows read so far (those with a label).</summary>
    public long Read { get; private set; }

    /// <summary>The weights of the rows read so far, summed.</summary>
    public double TotalWeight { get; private set; }

    /// <summary>Rows read so far of each class with a positive weight (rows of weight 0 cannot teach a class); empty for regression.</summary>
    public int[] RowsPerClass { get; }

    /// <summary>The view's row number of the current row.</summary>
    public long Position => _cursor.Position;

    /// <summary>Moves to the next row with a label, reading its target and weight; false at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool MoveNext()
    {
        while (_cursor.MoveNext())
        {
            if (_cursor.Position % CancellationCheckRows == 0) _cancellation.ThrowIfRequested();
            float target = _getTarget();
            if (float.IsNaN(target))
            {
                Skipped++;
                continue;
            }
            Target = target;
            if (_getWeight is not null)
            {
                float weight = 0f;
                _getWeight(ref weight);
                if (!(weight >= 0f) || !float.IsFinite(weight))
                    throw new InvalidOperationException(
                        $"Weight column '{_weightColumn}' has the value {weight} at row {_cursor.Position}; weights must be finite and non-negative.");
                Weight = weight;
            }
            Read++;
            TotalWeight += Weight;
            if (RowsPerClass.Length > 0 && Weight > 0) RowsPerClass[(int)target]++;
            return true;
        }
        return false;
    }

    /// <summary>Writes the current row's features densely into <paramref name="destination"/>, after checking that they are finite.</summary>
    public void CopyFeaturesTo(Span<float> destination) => Features().CopyTo(destination);

    /// <summary>The current row's features as the view gives them (dense or sparse), checked to be finite; valid until the next call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ref readonly VBuffer<float> Features()
    {
        _getFeatures(ref _row);
        ReadOnlySpan<float> values = _row.GetValues();
        int i = FiniteCheck.IndexOfNonFinite(values);
        if (i >= 0)
        {
            int slot = _row.IsDense ? i : _row.GetIndices()[i];
            throw new InvalidOperationException(
                $"Feature column '{_featureColumn}' has the value {values[i]} in slot {slot} of row {_cursor.Position}; NeuralML needs finite features. " +
                "Replace missing values first, e.g. with mlContext.Transforms.ReplaceMissingValues, or filter those rows out.");
        }
        return ref _row;
    }

    /// <summary>The current row's identity (ML.NET's row ID, folded to 64 bits), the same in every cursor over the view.</summary>
    public ulong Id()
    {
        DataViewRowId id = default;
        (_getId ??= _cursor.GetIdGetter())(ref id);
        return id.Low ^ (id.High * 0x9E3779B97F4A7C15UL);
    }

    /// <summary>Throws, saying why, when the rows read so far cannot train: none at all, or none with a positive weight.</summary>
    public void CheckUsable()
    {
        if (Read == 0)
            throw new InvalidOperationException(Skipped > 0
                ? $"The training data has no usable rows: all {Skipped} rows have a missing value in label column '{_labelColumn}'."
                : "The training data is empty: a FeedForward trainer needs at least one row.");
        if (TotalWeight <= 0)
            throw new InvalidOperationException($"Every training row has weight 0 in weight column '{_weightColumn}'; at least one row needs a positive weight.");
    }

    public void Dispose() => _cursor.Dispose();

    /// <summary>A reader of the label as a float target: NaN marks a missing label.</summary>
    private static Func<float> TargetGetter(DataViewRowCursor cursor, DataViewSchema.Column label, PredictionKind kind)
    {
        switch (kind)
        {
            case PredictionKind.BinaryClassification:
            {
                ValueGetter<bool> get = cursor.GetGetter<bool>(label);
                bool value = false;
                return [MethodImpl(MethodImplOptions.AggressiveOptimization)] () =>
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
                return [MethodImpl(MethodImplOptions.AggressiveOptimization)] () =>
                {
                    get(ref value);
                    return value == 0 ? float.NaN : value - 1;
                };
            }
            default:
            {
                ValueGetter<float> get = cursor.GetGetter<float>(label);
                float value = 0;
                return [MethodImpl(MethodImplOptions.AggressiveOptimization)] () =>
                {
                    get(ref value);
                    return float.IsFinite(value) ? value : float.NaN;
                };
            }
        }
    }
}

/// <summary>The columns training reads, checked against the task.</summary>
internal sealed record TrainingColumns(DataViewSchema.Column Feature, DataViewSchema.Column Label, DataViewSchema.Column? Weight)
{
    public int FeatureCount => ((VectorDataViewType)Feature.Type).Size;

    public static TrainingColumns Check(DataViewSchema schema, TaskColumns task, string featureColumnName, string labelColumnName, string? weightColumnName)
        => new(ColumnChecks.CheckFeature(schema, featureColumnName), task.CheckLabel(schema, labelColumnName),
            weightColumnName is null ? null : ColumnChecks.CheckWeight(schema, weightColumnName));
}
