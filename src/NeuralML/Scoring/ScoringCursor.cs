using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Scoring;

/// <summary>
/// A row (or cursor) of the input with the model's output columns appended; input columns pass straight through,
/// outputs are scored once per row, when first asked for, by the cursor's <see cref="RowScores"/>.
/// </summary>
internal sealed class ScoringCursor : DataViewRowCursor
{
    private readonly ScoringRowMapper _mapper;
    private readonly DataViewRow _input;
    private readonly Delegate?[] _getters;
    private readonly LookaheadScorer? _lookahead;
    private bool _disposed;

    /// <param name="mapper">The mapper whose output schema this cursor has.</param>
    /// <param name="input">The input row or cursor.</param>
    /// <param name="activeColumns">The columns that will be read.</param>
    /// <param name="lookahead">Makes a batch scorer over the same data, for cursors that read the rows in order; null to score row by row.</param>
    public ScoringCursor(ScoringRowMapper mapper, DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns, Func<LookaheadScorer>? lookahead)
    {
        _mapper = mapper;
        _input = input;
        _getters = new Delegate?[mapper.OutputSchema.Count];
        RowScores? scores = null;
        try
        {
            foreach (DataViewSchema.Column column in activeColumns)
            {
                if (!mapper.IsOutput(column.Index)) continue;
                scores ??= new RowScores(mapper.Model, input, mapper.FeatureColumn, _lookahead = lookahead?.Invoke());
                _getters[column.Index] = mapper.CreateGetter(scores, column.Index);
            }
        }
        catch
        {
            _lookahead?.Dispose();
            throw;
        }
    }

    /// <summary>How many batches this cursor's lookahead scored (0 when it scores row by row).</summary>
    public int BatchesScored => _lookahead?.BatchesScored ?? 0;

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
            _lookahead?.Dispose();
            _input.Dispose();
        }
        base.Dispose(disposing);
    }
}
