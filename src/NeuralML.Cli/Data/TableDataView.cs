using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Cli.Data;

/// <summary>A <see cref="CsvTable"/> as an ML.NET <see cref="IDataView"/>: one cursor over the arrays, in order.</summary>
public sealed class TableDataView : IDataView
{
    private readonly CsvTable _table;

    /// <summary>Wraps a table.</summary>
    public TableDataView(CsvTable table)
    {
        _table = table;
        var builder = new DataViewSchema.Builder();
        foreach ((string name, DataViewType type, _) in table.Columns) builder.AddColumn(name, type);
        Schema = builder.ToSchema();
    }

    /// <inheritdoc/>
    public bool CanShuffle => false;

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <inheritdoc/>
    public long? GetRowCount() => _table.RowCount;

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    /// <inheritdoc/>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private sealed class Cursor(TableDataView view) : DataViewRowCursor
    {
        private long _position = -1;

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => view.Schema;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override bool MoveNext()
        {
            if (_position + 1 < view._table.RowCount) { _position++; return true; }
            _position = view._table.RowCount;
            return false;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Array values = view._table.Columns[column.Index].Values;
            Delegate getter = values switch
            {
                float[] f => (ValueGetter<float>)((ref float v) => v = f[_position]),
                bool[] b => (ValueGetter<bool>)((ref bool v) => v = b[_position]),
                ReadOnlyMemory<char>[] t => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) => v = t[_position]),
                _ => throw new InvalidOperationException($"Column '{column.Name}' holds {values.GetType().Name}."),
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
        }
    }
}
