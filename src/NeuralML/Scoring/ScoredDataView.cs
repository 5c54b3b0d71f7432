using Microsoft.ML;

namespace NeuralML.Scoring;

/// <summary>The lazy result of <c>Transform</c>: the input data with the model's output columns, computed as rows are read.</summary>
internal sealed class ScoredDataView(IDataView input, ScoringRowMapper mapper, LookaheadScorer.BufferPool pool) : IDataView
{
    public bool CanShuffle => input.CanShuffle;

    public DataViewSchema Schema => mapper.OutputSchema;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = columnsNeeded.ToArray();
        DataViewRowCursor cursor = input.GetRowCursor(mapper.GetDependencies(active), rand);
        // In order (no shuffle), a second cursor can read the features ahead and score them in batches.
        return new ScoringCursor(mapper, cursor, active, rand is null ? () => new LookaheadScorer(mapper.Model, input, mapper.FeatureColumn, pool) : null);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var active = columnsNeeded.ToArray();
        return input.GetRowCursorSet(mapper.GetDependencies(active), n, rand)
            .Select(cursor => (DataViewRowCursor)new ScoringCursor(mapper, cursor, active, lookahead: null))
            .ToArray();
    }
}
