using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML;

/// <summary>
/// The columns a FeedForward model adds, named and typed as ML.NET's own trainers make them, so that
/// <c>Evaluate</c>, <c>CrossValidate</c>, <c>MapKeyToValue</c> and <c>CreatePredictionEngine</c> work unchanged.
/// </summary>
internal static class OutputColumns
{
    public const string Score = "Score";
    public const string Probability = "Probability";
    public const string PredictedLabel = "PredictedLabel";

    public sealed record Column(string Name, DataViewType Type, DataViewSchema.Annotations Annotations);

    public static IReadOnlyList<Column> For(PredictionKind kind, ClassLabels? classes)
    {
        string scoreKind = kind switch
        {
            PredictionKind.BinaryClassification => "BinaryClassification",
            PredictionKind.MulticlassClassification => "MulticlassClassification",
            _ => "Regression",
        };
        switch (kind)
        {
            case PredictionKind.BinaryClassification:
                return
                [
                    new(Score, NumberDataViewType.Single, ScoreAnnotations(scoreKind, "Score")),
                    new(Probability, NumberDataViewType.Single, ScoreAnnotations(scoreKind, "Probability")),
                    new(PredictedLabel, BooleanDataViewType.Instance, ScoreAnnotations(scoreKind, "PredictedLabel")),
                ];
            case PredictionKind.MulticlassClassification:
                ClassLabels labels = classes ?? throw new ArgumentNullException(nameof(classes));
                return
                [
                    new(Score, new VectorDataViewType(NumberDataViewType.Single, labels.Count),
                        ScoreAnnotations(scoreKind, "Score", labels.AddSlotNamesTo)),
                    new(PredictedLabel, new KeyDataViewType(typeof(uint), labels.Count),
                        ScoreAnnotations(scoreKind, "PredictedLabel", labels.AddKeyValuesTo)),
                ];
            default:
                return [new(Score, NumberDataViewType.Single, ScoreAnnotations(scoreKind, "Score"))];
        }
    }

    private static DataViewSchema.Annotations ScoreAnnotations(string columnKind, string valueKind, Action<DataViewSchema.Annotations.Builder>? more = null)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        more?.Invoke(builder);
        ReadOnlyMemory<char> columnKindText = columnKind.AsMemory(), valueKindText = valueKind.AsMemory();
        builder.Add(AnnotationKinds.ScoreColumnKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = columnKindText);
        builder.Add(AnnotationKinds.ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = valueKindText);
        return builder.ToAnnotations();
    }

    /// <summary>The input schema with the output columns appended (hiding input columns of the same name).</summary>
    public static DataViewSchema Append(DataViewSchema input, IReadOnlyList<Column> columns)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (Column column in columns) builder.AddColumn(column.Name, column.Type, column.Annotations);
        return builder.ToSchema();
    }
}
