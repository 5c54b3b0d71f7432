namespace NeuralML.Cli.Data;

/// <summary>What a CSV column holds, as inferred from its values when training.</summary>
public enum ColumnKind
{
    /// <summary>Numbers (invariant culture: '.' for the decimal point); a missing value is NaN.</summary>
    Number,

    /// <summary>true or false (any case); read as 1 or 0 when it is a feature, a missing value is NaN.</summary>
    Boolean,

    /// <summary>Anything else: text categories, one-hot encoded; a missing value is the empty category (all zeros).</summary>
    Category,
}
