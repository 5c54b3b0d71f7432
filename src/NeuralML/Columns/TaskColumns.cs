using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Bridge;

namespace NeuralML.Columns;

/// <summary>What an output column holds of a row's scores.</summary>
internal enum OutputValue
{
    /// <summary>The one logit (Single): binary Score.</summary>
    Logit,

    /// <summary>The head's one output (Single): binary Probability, regression Score.</summary>
    FirstOutput,

    /// <summary>Logit &gt; 0 (Boolean): binary PredictedLabel.</summary>
    LogitIsPositive,

    /// <summary>One probability per class (vector of Single, slot names from the label's key values): multiclass Score.</summary>
    ClassProbabilities,

    /// <summary>The most probable class as a key of the label's type (its key values attached): multiclass PredictedLabel.</summary>
    MostProbableClass,
}

/// <summary>One output column: its name, what it holds, and its ScoreValueKind annotation.</summary>
internal sealed record OutputColumn(string Name, OutputValue Value, string ValueKind);

/// <summary>
/// The table of a task's columns: the label's required type, and the output columns a FeedForward model adds, named
/// and typed as ML.NET's own trainers make them, so that <c>Evaluate</c>, <c>CrossValidate</c>, <c>MapKeyToValue</c>
/// and <c>CreatePredictionEngine</c> work unchanged. The label checks and both output schemas (the
/// <see cref="DataViewSchema"/> of <c>Transform</c> and the <see cref="SchemaShape"/> of <c>GetOutputSchema</c>)
/// are made from it.
/// </summary>
internal sealed class TaskColumns
{
    public const string Score = "Score", Probability = "Probability", PredictedLabel = "PredictedLabel";

    private static readonly TaskColumns Binary = new(PredictionKind.BinaryClassification, "BinaryClassification", "Boolean",
        [new(Score, OutputValue.Logit, "Score"), new(Probability, OutputValue.FirstOutput, "Probability"), new(PredictedLabel, OutputValue.LogitIsPositive, "PredictedLabel")]);

    private static readonly TaskColumns Multiclass = new(PredictionKind.MulticlassClassification, "MulticlassClassification",
        "Key<UInt32> (map the label to a key with mlContext.Transforms.Conversion.MapValueToKey)",
        [new(Score, OutputValue.ClassProbabilities, "Score"), new(PredictedLabel, OutputValue.MostProbableClass, "PredictedLabel")]);

    private static readonly TaskColumns Regression = new(PredictionKind.Regression, "Regression",
        "Single (convert it with mlContext.Transforms.Conversion.ConvertType)", [new(Score, OutputValue.FirstOutput, "Score")]);

    private TaskColumns(PredictionKind kind, string scoreColumnKind, string expectedLabel, OutputColumn[] outputs)
    {
        Kind = kind;
        ScoreColumnKind = scoreColumnKind;
        ExpectedLabel = expectedLabel;
        Outputs = outputs;
    }

    public static TaskColumns For(PredictionKind kind) => kind switch
    {
        PredictionKind.BinaryClassification => Binary,
        PredictionKind.MulticlassClassification => Multiclass,
        PredictionKind.Regression => Regression,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown task."),
    };

    public PredictionKind Kind { get; }

    /// <summary>The ScoreColumnKind annotation of every output column.</summary>
    public string ScoreColumnKind { get; }

    /// <summary>The label's type, as a message names it, with the transform that makes it.</summary>
    public string ExpectedLabel { get; }

    public IReadOnlyList<OutputColumn> Outputs { get; }

    /// <exception cref="ArgumentOutOfRangeException">The label column is missing or not of the task's type.</exception>
    public DataViewSchema.Column CheckLabel(DataViewSchema schema, string name)
    {
        DataViewSchema.Column column = ColumnChecks.Find(schema, name, "Label");
        bool ok = Kind switch
        {
            PredictionKind.BinaryClassification => column.Type == BooleanDataViewType.Instance,
            PredictionKind.MulticlassClassification => column.Type is KeyDataViewType { RawType: var raw, Count: > 0 and <= int.MaxValue } && raw == typeof(uint),
            _ => column.Type == NumberDataViewType.Single,
        };
        return ok ? column : throw LabelMismatch(name, $"{column.Type}");
    }

    /// <exception cref="ArgumentOutOfRangeException">The label column is missing or not of the task's type.</exception>
    public SchemaShape.Column CheckLabel(SchemaShape schema, string name)
    {
        SchemaShape.Column column = ColumnChecks.Find(schema, name, "Label");
        bool ok = column.Kind == SchemaShape.Column.VectorKind.Scalar && Kind switch
        {
            PredictionKind.BinaryClassification => column.ItemType == BooleanDataViewType.Instance,
            PredictionKind.MulticlassClassification => column.IsKey && column.ItemType.RawType == typeof(uint),
            _ => column.ItemType == NumberDataViewType.Single,
        };
        return ok ? column : throw LabelMismatch(name, ColumnChecks.Describe(column));
    }

    private ArgumentOutOfRangeException LabelMismatch(string name, string found)
        => new("schema", $"Schema mismatch for label column '{name}': expected {ExpectedLabel}, got {found}.");

    /// <summary>The input schema with the output columns appended (hiding input columns of the same name): <c>Transform</c>'s schema.</summary>
    public DataViewSchema AppendOutputs(DataViewSchema input, ClassLabels? classes)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (OutputColumn output in Outputs)
        {
            var annotations = new DataViewSchema.Annotations.Builder();
            ClassLabels ClassesOf() => classes ?? throw new ArgumentNullException(nameof(classes), "A multiclass model needs its class labels.");
            DataViewType type = output.Value switch
            {
                OutputValue.LogitIsPositive => BooleanDataViewType.Instance,
                OutputValue.ClassProbabilities => new VectorDataViewType(NumberDataViewType.Single, ClassesOf().Count),
                OutputValue.MostProbableClass => new KeyDataViewType(typeof(uint), ClassesOf().Count),
                _ => NumberDataViewType.Single,
            };
            if (output.Value == OutputValue.ClassProbabilities) ClassesOf().AddSlotNamesTo(annotations);
            if (output.Value == OutputValue.MostProbableClass) ClassesOf().AddKeyValuesTo(annotations);
            AddText(annotations, AnnotationKinds.ScoreColumnKind, ScoreColumnKind);
            AddText(annotations, AnnotationKinds.ScoreValueKind, output.ValueKind);
            builder.AddColumn(output.Name, type, annotations.ToAnnotations());
        }
        return builder.ToSchema();
    }

    /// <summary>The input shape with the output columns replacing or following its columns: <c>GetOutputSchema</c>'s shape.</summary>
    public SchemaShape AppendOutputs(SchemaShape input, SchemaShape.Column label)
    {
        var columns = input.ToDictionary(c => c.Name);
        SchemaShape.Column? keyValues = ColumnChecks.TryFind(label.Annotations, AnnotationKinds.KeyValues);
        foreach (OutputColumn output in Outputs)
        {
            var annotations = new List<SchemaShape.Column>
            {
                TextAnnotation(AnnotationKinds.ScoreColumnKind),
                TextAnnotation(AnnotationKinds.ScoreValueKind),
            };
            if (output.Value == OutputValue.ClassProbabilities && keyValues is not null)
                annotations.Add(MLNetInternals.SchemaShapeColumn(AnnotationKinds.SlotNames, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false, new([])));
            if (output.Value == OutputValue.MostProbableClass && keyValues is { } values) annotations.Add(values);
            (SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey) = output.Value switch
            {
                OutputValue.LogitIsPositive => (SchemaShape.Column.VectorKind.Scalar, (DataViewType)BooleanDataViewType.Instance, false),
                OutputValue.ClassProbabilities => (SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false),
                OutputValue.MostProbableClass => (SchemaShape.Column.VectorKind.Scalar, label.ItemType, true),
                _ => (SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false),
            };
            columns[output.Name] = MLNetInternals.SchemaShapeColumn(output.Name, kind, itemType, isKey, new SchemaShape(annotations));
        }
        return new SchemaShape(columns.Values);
    }

    private static SchemaShape.Column TextAnnotation(string name)
        => MLNetInternals.SchemaShapeColumn(name, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false, new([]));

    private static void AddText(DataViewSchema.Annotations.Builder builder, string name, string value)
    {
        ReadOnlyMemory<char> text = value.AsMemory();
        builder.Add(name, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = text);
    }
}
