using nietras.SeparatedValues;

namespace NeuralML.Cli.Data;

/// <summary>One data row of a CSV file: its fields (trimmed, unquoted) and the line it starts on (the header is line 1).</summary>
/// <param name="Line">The 1-based line number the row starts on.</param>
/// <param name="Fields">One field per header column.</param>
public readonly record struct CsvRow(long Line, string[] Fields);

/// <summary>
/// A comma-separated file with a header line, read row by row with Sep: quoted fields are unquoted, blank lines are
/// skipped, and a row with more or fewer fields than the header is an error naming its line.
/// </summary>
public sealed class CsvFile : IDisposable
{
    private readonly SepReader _reader;

    private CsvFile(string path, SepReader reader, string[] header)
    {
        Path = path;
        _reader = reader;
        Header = header;
    }

    /// <summary>The file's path as the user gave it (messages name it so).</summary>
    public string Path { get; }

    /// <summary>The header's column names, trimmed.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>Opens a file and reads its header.</summary>
    /// <exception cref="CliException">The file does not exist, is empty, or its header has an empty or repeated name.</exception>
    public static CsvFile Open(string path)
    {
        if (!File.Exists(path)) throw new CliException($"{path}: no such file.");
        if (!HasText(path)) throw new CliException($"{path}: the file is empty; expected a header line of column names and rows of values.");
        SepReader reader;
        try
        {
            reader = Sep.New(',').Reader(o => o with { HasHeader = true, Unescape = true, DisableColCountCheck = true }).FromFile(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: cannot read the file: {e.Message}", e);
        }
        string[] header = reader.Header.ColNames.Select(n => n.Trim().TrimStart('\uFEFF')).ToArray(); // a byte-order mark is not part of the name
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < header.Length; i++)
        {
            if (header[i].Length == 0)
            {
                reader.Dispose();
                throw CliException.AtLine(path, 1, $"column {i + 1} of the header has no name.");
            }
            if (!seen.Add(header[i]))
            {
                reader.Dispose();
                throw CliException.AtLine(path, 1, $"the header names column '{header[i]}' twice.");
            }
        }
        return new CsvFile(path, reader, header);
    }

    /// <summary>The index of a header column, or -1.</summary>
    public int IndexOf(string column) => Array.IndexOf((string[])Header, column);

    /// <summary>The data rows, in order; each is read when it is reached, so a file of any size streams.</summary>
    /// <exception cref="CliException">A row's field count differs from the header's.</exception>
    public IEnumerable<CsvRow> Rows()
    {
        int width = Header.Count;
        foreach (SepReader.Row row in _reader)
        {
            long line = row.LineNumberFrom;
            if (row.ColCount == 1 && row[0].Span.Trim().IsEmpty && width > 1) continue; // a blank line
            if (row.ColCount != width)
                throw CliException.AtLine(Path, line, $"the row has {row.ColCount} field(s) but the header has {width} column(s).");
            var fields = new string[width];
            for (int i = 0; i < width; i++) fields[i] = row[i].Span.Trim().ToString();
            yield return new CsvRow(line, fields);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _reader.Dispose();

    private static bool HasText(string path)
    {
        using var stream = File.OpenRead(path);
        int b;
        while ((b = stream.ReadByte()) >= 0)
            if (!char.IsWhiteSpace((char)b) && b != 0xEF && b != 0xBB && b != 0xBF) return true; // skips a UTF-8 byte-order mark
        return false;
    }
}
