using Microsoft.ML.Data;

namespace NeuralML.Cli.Data;

/// <summary>
/// Converts CSV rows into a <see cref="CsvTable"/> by a <see cref="DataSchema"/>, checking every field: a value that does
/// not fit its column's kind is an error naming the file, line and column. Rows without a label are skipped (and
/// counted) when the label is read; when it is not (prediction), the label column is filled with missing values,
/// which the pipeline's label steps accept.
/// </summary>
public sealed class TableBuilder
{
    private readonly DataSchema _schema;
    private readonly string _path;
    private readonly int[] _featureIndex;
    private readonly int _labelIndex;
    private readonly bool _readLabel;
    private readonly List<float>[] _numbers;
    private readonly List<ReadOnlyMemory<char>>[] _texts;
    private readonly List<bool> _binaryLabels = [];
    private readonly List<float> _numberLabels = [];
    private readonly List<ReadOnlyMemory<char>> _textLabels = [];
    private readonly List<long> _lines = [];
    private readonly HashSet<string> _classes;

    /// <summary>Prepares to read <paramref name="file"/>'s rows; <paramref name="readLabel"/> says whether the label column must be there.</summary>
    /// <exception cref="CliException">The header lacks a feature column, or the label column when it is read.</exception>
    public TableBuilder(DataSchema schema, CsvFile file, bool readLabel)
    {
        _schema = schema;
        _path = file.Path;
        _readLabel = readLabel;
        _featureIndex = schema.Features.Select(f => file.IndexOf(f.Name)).ToArray();
        string[] absent = schema.Features.Where((_, i) => _featureIndex[i] < 0).Select(f => f.Name).ToArray();
        if (absent.Length > 0)
            throw CliException.AtLine(_path, 1, $"the header lacks the column(s) the model reads: {string.Join(", ", absent)}.");
        _labelIndex = file.IndexOf(schema.Label);
        if (readLabel && _labelIndex < 0)
            throw CliException.AtLine(_path, 1, $"there is no label column '{schema.Label}'; the header has: {string.Join(", ", file.Header)}.");
        _numbers = schema.Features.Select(_ => new List<float>()).ToArray();
        _texts = schema.Features.Select(_ => new List<ReadOnlyMemory<char>>()).ToArray();
        _classes = new HashSet<string>(schema.Classes, StringComparer.Ordinal);
    }

    /// <summary>Rows skipped because their label was missing.</summary>
    public int SkippedRows { get; private set; }

    /// <summary>Rows added since the last <see cref="Build"/>.</summary>
    public int Count => _lines.Count;

    /// <summary>The name of the label column in the built tables.</summary>
    public string LabelColumn => _schema.Label;

    /// <summary>Converts and adds one row (or skips it when its label is missing).</summary>
    /// <exception cref="CliException">A field does not fit its column.</exception>
    public void Add(CsvRow row)
    {
        if (_readLabel && !AddLabel(row)) { SkippedRows++; return; }
        if (!_readLabel) AddMissingLabel();
        for (int f = 0; f < _featureIndex.Length; f++)
        {
            CsvFeature column = _schema.Features[f];
            string field = row.Fields[_featureIndex[f]];
            bool missing = CsvValues.IsMissing(field);
            switch (column.Kind)
            {
                case ColumnKind.Number:
                    if (missing) _numbers[f].Add(float.NaN);
                    else if (CsvValues.TryNumber(field, out double number)) _numbers[f].Add((float)number);
                    else throw CliException.AtField(_path, row.Line, column.Name, $"'{field}' is not a number (the column held numbers in training). Correct it, or leave the field empty for a missing value.");
                    break;
                case ColumnKind.Boolean:
                    if (missing) _numbers[f].Add(float.NaN);
                    else if (CsvValues.TryBoolean(field, out bool flag)) _numbers[f].Add(flag ? 1 : 0);
                    else throw CliException.AtField(_path, row.Line, column.Name, $"'{field}' is not true or false (the column held Booleans in training).");
                    break;
                default:
                    _texts[f].Add(missing ? ReadOnlyMemory<char>.Empty : field.AsMemory());
                    break;
            }
        }
        _lines.Add(row.Line);
    }

    /// <summary>The rows added so far as a table; the builder starts afresh.</summary>
    public CsvTable Build()
    {
        var columns = new List<(string, DataViewType, Array)>();
        for (int f = 0; f < _featureIndex.Length; f++)
        {
            CsvFeature column = _schema.Features[f];
            if (column.Kind == ColumnKind.Category) columns.Add((column.Name, TextDataViewType.Instance, _texts[f].ToArray()));
            else columns.Add((column.Name, NumberDataViewType.Single, _numbers[f].ToArray()));
            _texts[f].Clear();
            _numbers[f].Clear();
        }
        columns.Add(_schema.Task switch
        {
            TaskKind.Binary => (_schema.Label, BooleanDataViewType.Instance, _binaryLabels.ToArray()),
            TaskKind.Multiclass => (_schema.Label, TextDataViewType.Instance, _textLabels.ToArray()),
            _ => (_schema.Label, NumberDataViewType.Single, _numberLabels.ToArray()),
        });
        var table = new CsvTable(columns, _lines.ToArray());
        _binaryLabels.Clear();
        _textLabels.Clear();
        _numberLabels.Clear();
        _lines.Clear();
        return table;
    }

    private bool AddLabel(CsvRow row)
    {
        string field = row.Fields[_labelIndex];
        if (CsvValues.IsMissing(field)) return false;
        switch (_schema.Task)
        {
            case TaskKind.Binary:
                if (IsClass(field, _schema.PositiveClass!)) _binaryLabels.Add(true);
                else if (IsClass(field, _schema.NegativeClass!)) _binaryLabels.Add(false);
                else throw CliException.AtField(_path, row.Line, _schema.Label, $"'{field}' is neither of the two classes seen in training, '{_schema.NegativeClass}' and '{_schema.PositiveClass}'.");
                break;
            case TaskKind.Multiclass:
                if (_classes.Count > 0 && !_classes.Contains(field))
                    throw CliException.AtField(_path, row.Line, _schema.Label, $"'{field}' is not one of the classes seen in training: {string.Join(", ", _schema.Classes)}.");
                _textLabels.Add(field.AsMemory());
                break;
            default:
                if (!CsvValues.TryNumber(field, out double value))
                    throw CliException.AtField(_path, row.Line, _schema.Label, $"'{field}' is not a number, and the regression label must be one.");
                _numberLabels.Add((float)value);
                break;
        }
        return true;
    }

    private void AddMissingLabel()
    {
        switch (_schema.Task)
        {
            case TaskKind.Binary: _binaryLabels.Add(false); break;
            case TaskKind.Multiclass: _textLabels.Add(ReadOnlyMemory<char>.Empty); break;
            default: _numberLabels.Add(float.NaN); break;
        }
    }

    private bool IsClass(string field, string value) => _schema.LabelKind switch
    {
        ColumnKind.Boolean => CsvValues.TryBoolean(field, out bool a) && CsvValues.TryBoolean(value, out bool b) && a == b,
        ColumnKind.Number => CsvValues.TryNumber(field, out double x) && CsvValues.TryNumber(value, out double y) && x == y,
        _ => field == value,
    };
}
