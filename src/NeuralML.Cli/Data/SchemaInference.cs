namespace NeuralML.Cli.Data;

/// <summary>
/// Infers each column's kind and the task from the training rows, with rules a user can predict (stated in
/// <c>neuralml train --help</c> and the README):
/// <list type="bullet">
/// <item>Missing values (empty, NA, N/A, NaN, null, ?) are left out of the counts.</item>
/// <item>A column whose values are all true/false is Boolean; all numbers, Number; otherwise Category. A column of which
/// at least 90% of the values are numbers is numeric, and its other values are errors (text in a numeric column).</item>
/// <item>The task, with <c>--task auto</c>: a label with two distinct values (or Boolean) is binary; a label of text, or
/// of integers with at most 10 distinct values, is multiclass; any other numeric label is regression.</item>
/// </list>
/// </summary>
public static class SchemaInference
{
    /// <summary>The share of numbers above which a column is numeric and its text values are errors.</summary>
    public const double NumericShare = 0.9;

    /// <summary>Integer labels with at most this many distinct values are classes under <c>--task auto</c>.</summary>
    public const int MaxIntegerClasses = 10;

    /// <summary>Infers the schema.</summary>
    /// <exception cref="CliException">The label column is missing or unusable, a numeric column holds text, or there are no rows.</exception>
    public static DataSchema Infer(string path, IReadOnlyList<string> header, IReadOnlyList<CsvRow> rows, string label, TaskKind? task)
    {
        int labelIndex = -1;
        for (int i = 0; i < header.Count; i++) if (header[i] == label) labelIndex = i;
        if (labelIndex < 0)
            throw CliException.AtLine(path, 1, $"there is no label column '{label}'; the header has: {string.Join(", ", header)}.");
        if (rows.Count == 0) throw CliException.AtLine(path, 2, "the file has a header but no rows of data.");
        if (header.Count < 2) throw CliException.AtLine(path, 1, $"the file has only the label column '{label}'; there is nothing to learn from.");

        var features = new List<CsvFeature>();
        var dropped = new List<string>();
        ColumnStats labelStats = default!;
        for (int c = 0; c < header.Count; c++)
        {
            ColumnStats stats = ColumnStats.Of(rows, c);
            if (c == labelIndex) { labelStats = stats; continue; }
            if (stats.Present == 0) { dropped.Add($"{header[c]} (no values)"); continue; }
            features.Add(new CsvFeature(header[c], KindOf(path, header[c], stats)));
        }
        if (features.Count == 0) throw new CliException($"{path}: every column but the label is empty; there is nothing to learn from.");
        if (labelStats.Present == 0) throw CliException.AtLine(path, 2, $"the label column '{label}' has no values.");
        ColumnKind labelKind = KindOf(path, label, labelStats);
        TaskKind chosen = task ?? AutoTask(labelKind, labelStats);
        string[] distinct = labelStats.Distinct.Order(StringComparer.Ordinal).ToArray();
        string? positive = null, negative = null;
        switch (chosen)
        {
            case TaskKind.Binary:
                if (labelStats.Distinct.Count != 2 || labelStats.DistinctOverflow)
                    throw new CliException($"{path}: binary classification needs exactly two distinct values in the label column '{label}'; it has {DistinctCount(labelStats)}.");
                (negative, positive) = BinaryClasses(labelKind, distinct);
                break;
            case TaskKind.Multiclass:
                if (labelStats.Distinct.Count < 2)
                    throw new CliException($"{path}: classification needs at least two distinct values in the label column '{label}'; it has one ('{distinct[0]}').");
                if (labelStats.DistinctOverflow)
                    throw new CliException($"{path}: the label column '{label}' has more than {ColumnStats.MaxDistinct} distinct values; that is not a classification label (use --task regression for numbers).");
                break;
            case TaskKind.Regression:
                if (labelKind != ColumnKind.Number)
                    throw CliException.AtField(path, labelStats.FirstNonNumberLine, label, $"'{labelStats.FirstNonNumber}' is not a number, and regression needs a numeric label.");
                break;
        }
        return new DataSchema
        {
            Task = chosen,
            Label = label,
            LabelKind = labelKind,
            PositiveClass = positive,
            NegativeClass = negative,
            Classes = chosen == TaskKind.Multiclass ? distinct : [],
            Features = features,
            Dropped = dropped,
            TrainedOn = System.IO.Path.GetFileName(path),
        };
    }

    /// <summary>The task <c>--task auto</c> chooses for a label.</summary>
    public static TaskKind AutoTask(ColumnKind labelKind, ColumnStats stats)
    {
        if (labelKind == ColumnKind.Boolean || (stats.Distinct.Count == 2 && !stats.DistinctOverflow)) return TaskKind.Binary;
        if (labelKind == ColumnKind.Category) return TaskKind.Multiclass;
        return stats.AllIntegers && !stats.DistinctOverflow && stats.Distinct.Count <= MaxIntegerClasses ? TaskKind.Multiclass : TaskKind.Regression;
    }

    // The positive class: true; the larger number; else the later of the two in ordinal order ("no" < "yes").
    private static (string Negative, string Positive) BinaryClasses(ColumnKind kind, string[] distinct)
    {
        if (kind == ColumnKind.Boolean)
            return CsvValues.TryBoolean(distinct[0], out bool first) && first ? (distinct[1], distinct[0]) : (distinct[0], distinct[1]);
        if (kind == ColumnKind.Number)
        {
            CsvValues.TryNumber(distinct[0], out double a);
            CsvValues.TryNumber(distinct[1], out double b);
            return a < b ? (distinct[0], distinct[1]) : (distinct[1], distinct[0]);
        }
        return (distinct[0], distinct[1]);
    }

    private static ColumnKind KindOf(string path, string column, ColumnStats stats)
    {
        if (stats.Booleans == stats.Present) return ColumnKind.Boolean;
        if (stats.Numbers == stats.Present) return ColumnKind.Number;
        if (stats.Numbers >= NumericShare * stats.Present)
            throw CliException.AtField(path, stats.FirstNonNumberLine, column,
                $"'{stats.FirstNonNumber}' is not a number, but {stats.Numbers} of the column's {stats.Present} values are. Correct it, or leave the field empty for a missing value.");
        return ColumnKind.Category;
    }

    private static string DistinctCount(ColumnStats stats) =>
        stats.DistinctOverflow ? $"more than {ColumnStats.MaxDistinct}" : stats.Distinct.Count == 1 ? $"one ('{stats.Distinct.First()}')" : stats.Distinct.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Counts over one column's values: present, numbers, Booleans, distinct values (up to a cap), integers.</summary>
public sealed class ColumnStats
{
    /// <summary>Distinct values are counted up to this many.</summary>
    public const int MaxDistinct = 1000;

    /// <summary>Values that are not missing.</summary>
    public int Present { get; private set; }

    /// <summary>Values that are finite numbers.</summary>
    public int Numbers { get; private set; }

    /// <summary>Values that are true or false.</summary>
    public int Booleans { get; private set; }

    /// <summary>Whether every number is an integer.</summary>
    public bool AllIntegers { get; private set; } = true;

    /// <summary>The distinct present values (at most <see cref="MaxDistinct"/>).</summary>
    public HashSet<string> Distinct { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether there were more distinct values than <see cref="MaxDistinct"/>.</summary>
    public bool DistinctOverflow { get; private set; }

    /// <summary>The first present value that is not a number, and its line.</summary>
    public string? FirstNonNumber { get; private set; }

    /// <inheritdoc cref="FirstNonNumber"/>
    public long FirstNonNumberLine { get; private set; }

    /// <summary>Counts column <paramref name="column"/> of the rows.</summary>
    public static ColumnStats Of(IReadOnlyList<CsvRow> rows, int column)
    {
        var stats = new ColumnStats();
        foreach (CsvRow row in rows)
        {
            string field = row.Fields[column];
            if (CsvValues.IsMissing(field)) continue;
            stats.Present++;
            if (CsvValues.TryNumber(field, out double number))
            {
                stats.Numbers++;
                if (number != Math.Floor(number)) stats.AllIntegers = false;
            }
            else if (stats.FirstNonNumber is null)
            {
                stats.FirstNonNumber = field;
                stats.FirstNonNumberLine = row.Line;
            }
            if (CsvValues.TryBoolean(field, out _)) stats.Booleans++;
            if (!stats.DistinctOverflow && !stats.Distinct.Contains(field))
            {
                if (stats.Distinct.Count == MaxDistinct) stats.DistinctOverflow = true;
                else stats.Distinct.Add(field);
            }
        }
        return stats;
    }
}
