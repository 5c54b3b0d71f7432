using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML;

/// <summary>
/// A row (or cursor) of the input with the model's output columns appended; input columns pass straight through,
/// outputs are computed once per row, when first asked for.
/// </summary>
internal sealed class PredictionCursor : DataViewRowCursor
{
    private readonly PredictionRowMapper _mapper;
    private readonly DataViewRow _input;
    private readonly Delegate?[] _getters;
    private bool _disposed;

    private readonly BatchScorer? _batch;

    public PredictionCursor(PredictionRowMapper mapper, DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns, Func<BatchScorer>? batch = null)
    {
        _mapper = mapper;
        _input = input;
        _getters = new Delegate?[mapper.OutputSchema.Count];
        RowScorer? scorer = null;
        try
        {
            foreach (DataViewSchema.Column column in activeColumns)
            {
                if (!mapper.IsOutput(column.Index)) continue;
                scorer ??= mapper.CreateScorer(input, _batch = batch?.Invoke());
                _getters[column.Index] = mapper.CreateOutputGetter(scorer, column.Index);
            }
        }
        catch
        {
            _batch?.Dispose();
            throw;
        }
    }

    public override DataViewSchema Schema => _mapper.OutputSchema;

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column)
        => _mapper.IsOutput(column.Index) ? _getters[column.Index] is not null : _input.IsColumnActive(_input.Schema[column.Index]);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!_mapper.IsOutput(column.Index)) return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        Delegate getter = _getters[column.Index]
            ?? throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor.");
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}; a getter of {typeof(TValue).Name} was asked for.");
    }

    public override bool MoveNext()
        => _input is DataViewRowCursor cursor ? cursor.MoveNext() : throw new NotSupportedException("A single mapped row cannot move.");

    protected override void Dispose(bool disposing)
    {
        if (_disposed) return;
        _disposed = true;
        if (disposing)
        {
            _batch?.Dispose();
            _input.Dispose();
        }
        base.Dispose(disposing);
    }
}
