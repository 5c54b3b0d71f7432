using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML;

/// <summary>
/// Schema checks and output columns at the <see cref="SchemaShape"/> level, for <c>GetOutputSchema</c>.
/// <see cref="SchemaShape.Column"/> has public fields but no public constructor, so new columns are made by setting
/// those fields on a boxed default value.
/// </summary>
internal static class SchemaShapeColumns
{
    public static SchemaShape.Column CheckFeature(SchemaShape schema, string name)
    {
        SchemaShape.Column column = Find(schema, name, "Feature");
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Schema mismatch for feature column '{name}': expected known-size vector of Single, got {Describe(column)}.");
        return column;
    }

    public static SchemaShape.Column CheckLabel(SchemaShape schema, string name, PredictionKind kind)
    {
        SchemaShape.Column column = Find(schema, name, "Label");
        bool scalar = column.Kind == SchemaShape.Column.VectorKind.Scalar;
        bool ok = kind switch
        {
            PredictionKind.BinaryClassification => scalar && column.ItemType == BooleanDataViewType.Instance,
            PredictionKind.MulticlassClassification => scalar && column.IsKey && column.ItemType.RawType == typeof(uint),
            _ => scalar && column.ItemType == NumberDataViewType.Single,
        };
        if (!ok)
        {
            string expected = kind switch
            {
                PredictionKind.BinaryClassification => "Boolean",
                PredictionKind.MulticlassClassification => "Key<UInt32> (map the label to a key with mlContext.Transforms.Conversion.MapValueToKey)",
                _ => "Single",
            };
            throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for label column '{name}': expected {expected}, got {Describe(column)}.");
        }
        return column;
    }

    public static void CheckWeight(SchemaShape schema, string name)
    {
        SchemaShape.Column column = Find(schema, name, "Weight");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for weight column '{name}': expected Single, got {Describe(column)}.");
    }

    /// <summary>The input columns, with the trainer's output columns replacing or following them.</summary>
    public static SchemaShape WithOutputs(SchemaShape input, PredictionKind kind, SchemaShape.Column label)
    {
        var columns = input.ToDictionary(c => c.Name);
        SchemaShape.Column scoreKinds = Make(AnnotationKinds.ScoreColumnKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false);
        SchemaShape.Column valueKind = Make(AnnotationKinds.ScoreValueKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false);
        SchemaShape kinds = new([scoreKinds, valueKind]);
        switch (kind)
        {
            case PredictionKind.BinaryClassification:
                columns[OutputColumns.Score] = Make(OutputColumns.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, kinds);
                columns[OutputColumns.Probability] = Make(OutputColumns.Probability, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, kinds);
                columns[OutputColumns.PredictedLabel] = Make(OutputColumns.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false, kinds);
                break;
            case PredictionKind.MulticlassClassification:
                bool hasKeyValues = label.Annotations.Any(a => a.Name == AnnotationKinds.KeyValues);
                var scoreAnnotations = new List<SchemaShape.Column> { scoreKinds, valueKind };
                var labelAnnotations = new List<SchemaShape.Column> { scoreKinds, valueKind };
                if (hasKeyValues)
                {
                    scoreAnnotations.Add(Make(AnnotationKinds.SlotNames, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false));
                    labelAnnotations.Add(label.Annotations.First(a => a.Name == AnnotationKinds.KeyValues));
                }
                columns[OutputColumns.Score] = Make(OutputColumns.Score, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, new SchemaShape(scoreAnnotations));
                columns[OutputColumns.PredictedLabel] = Make(OutputColumns.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, label.ItemType, true, new SchemaShape(labelAnnotations));
                break;
            default:
                columns[OutputColumns.Score] = Make(OutputColumns.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, kinds);
                break;
        }
        return new SchemaShape(columns.Values);
    }

    private static SchemaShape.Column Find(SchemaShape schema, string name, string role)
    {
        foreach (SchemaShape.Column column in schema)
            if (column.Name == name) return column;
        throw new ArgumentOutOfRangeException(nameof(schema), $"{role} column '{name}' not found in the data. Columns present: {string.Join(", ", schema.Select(c => $"'{c.Name}'"))}.");
    }

    private static string Describe(SchemaShape.Column column) => column.Kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => column.IsKey ? $"Key<{column.ItemType.RawType.Name}>" : $"{column.ItemType}",
        SchemaShape.Column.VectorKind.Vector => $"Vector<{column.ItemType}>",
        _ => $"variable-size Vector<{column.ItemType}>",
    };

    private static SchemaShape.Column Make(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, SchemaShape? annotations = null)
    {
        object boxed = default(SchemaShape.Column);
        typeof(SchemaShape.Column).GetField(nameof(SchemaShape.Column.Name))!.SetValue(boxed, name);
        typeof(SchemaShape.Column).GetField(nameof(SchemaShape.Column.Kind))!.SetValue(boxed, kind);
        typeof(SchemaShape.Column).GetField(nameof(SchemaShape.Column.ItemType))!.SetValue(boxed, itemType);
        typeof(SchemaShape.Column).GetField(nameof(SchemaShape.Column.IsKey))!.SetValue(boxed, isKey);
        typeof(SchemaShape.Column).GetField(nameof(SchemaShape.Column.Annotations))!.SetValue(boxed, annotations ?? new SchemaShape([]));
        return (SchemaShape.Column)boxed;
    }
}
