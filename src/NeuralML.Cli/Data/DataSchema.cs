namespace NeuralML.Cli.Data;

/// <summary>The learning task a model solves.</summary>
public enum TaskKind
{
    /// <summary>Two classes: ML.NET's binary classification with a Boolean label.</summary>
    Binary,

    /// <summary>Three or more classes (or two, when asked): multiclass classification on the label's text.</summary>
    Multiclass,

    /// <summary>A numeric label: regression.</summary>
    Regression,
}

/// <summary>A feature column of the training CSV and what it holds.</summary>
/// <param name="Name">The header's name for it.</param>
/// <param name="Kind">Its kind, inferred from the training data.</param>
public sealed record CsvFeature(string Name, ColumnKind Kind);

/// <summary>
/// What <c>neuralml train</c> learned about its CSV: the task, the label and how to read it, and each feature column's
/// kind. It is saved in the model file so that <c>evaluate</c> and <c>predict</c> read CSVs with the same header the
/// same way.
/// </summary>
public sealed class DataSchema
{
    /// <summary>The version of this record's layout in the model file.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>The task.</summary>
    public TaskKind Task { get; init; }

    /// <summary>The label column's name.</summary>
    public string Label { get; init; } = "";

    /// <summary>The label's kind in the training data.</summary>
    public ColumnKind LabelKind { get; init; }

    /// <summary>Binary: the label value read as true (the positive class).</summary>
    public string? PositiveClass { get; init; }

    /// <summary>Binary: the label value read as false.</summary>
    public string? NegativeClass { get; init; }

    /// <summary>Multiclass: the classes seen in training, in ordinal order.</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    /// <summary>The feature columns, in the training file's order.</summary>
    public IReadOnlyList<CsvFeature> Features { get; init; } = [];

    /// <summary>Columns of the training file that were left out, with the reason.</summary>
    public IReadOnlyList<string> Dropped { get; init; } = [];

    /// <summary>The training file's name.</summary>
    public string TrainedOn { get; init; } = "";

    /// <summary>Rows trained on (held-out test rows excluded).</summary>
    public int TrainingRows { get; init; }

    /// <summary>Rows held out for the test metrics.</summary>
    public int TestRows { get; init; }
}
