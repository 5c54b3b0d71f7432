namespace NeuralML.Columns;

/// <summary>The names of the column annotations ML.NET's evaluators and transforms read.</summary>
internal static class AnnotationKinds
{
    public const string KeyValues = "KeyValues";
    public const string SlotNames = "SlotNames";
    public const string ScoreColumnKind = "ScoreColumnKind";
    public const string ScoreValueKind = "ScoreValueKind";
}
