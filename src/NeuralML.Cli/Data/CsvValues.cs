using System.Globalization;

namespace NeuralML.Cli.Data;

/// <summary>How the tool reads one CSV field: what counts as missing, a number or a Boolean.</summary>
public static class CsvValues
{
    /// <summary>The fields that mean "missing" (after trimming, any case), besides the empty field.</summary>
    public static readonly IReadOnlyList<string> MissingTokens = ["NA", "N/A", "NaN", "null", "?"];

    /// <summary>Whether a trimmed field is a missing value.</summary>
    public static bool IsMissing(ReadOnlySpan<char> field)
    {
        if (field.IsEmpty) return true;
        foreach (string token in MissingTokens)
            if (field.Equals(token, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>Parses a finite number in the invariant culture.</summary>
    public static bool TryNumber(ReadOnlySpan<char> field, out double value) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>Parses true or false, in any case.</summary>
    public static bool TryBoolean(ReadOnlySpan<char> field, out bool value)
    {
        if (field.Equals("true", StringComparison.OrdinalIgnoreCase)) { value = true; return true; }
        if (field.Equals("false", StringComparison.OrdinalIgnoreCase)) { value = false; return true; }
        value = false;
        return false;
    }
}
