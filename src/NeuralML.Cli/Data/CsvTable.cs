using Microsoft.ML.Data;

namespace NeuralML.Cli.Data;

/// <summary>
/// Rows of a CSV converted by a <see cref="DataSchema"/>: one array per column, of the type the model reads (float for
/// numbers and Booleans, text for categories; the label as Boolean, text or float by task), and the rows' line numbers.
/// </summary>
public sealed class CsvTable
{
    /// <summary>Creates a table from its columns; every array has <paramref name="lines"/>' length.</summary>
    public CsvTable(IReadOnlyList<(string Name, DataViewType Type, Array Values)> columns, long[] lines)
    {
        Columns = columns;
        Lines = lines;
    }

    /// <summary>The columns: name, ML.NET type, and a float[], bool[] or ReadOnlyMemory&lt;char&gt;[] of values.</summary>
    public IReadOnlyList<(string Name, DataViewType Type, Array Values)> Columns { get; }

    /// <summary>The line of the file each row came from.</summary>
    public long[] Lines { get; }

    /// <summary>The number of rows.</summary>
    public int RowCount => Lines.Length;

    /// <summary>The rows at <paramref name="indices"/>, in that order.</summary>
    public CsvTable Select(IReadOnlyList<int> indices)
    {
        var columns = Columns.Select(c =>
        {
            Array values = Array.CreateInstance(c.Values.GetType().GetElementType()!, indices.Count);
            for (int i = 0; i < indices.Count; i++) values.SetValue(c.Values.GetValue(indices[i]), i);
            return (c.Name, c.Type, values);
        }).ToArray();
        return new CsvTable(columns, indices.Select(i => Lines[i]).ToArray());
    }
}
