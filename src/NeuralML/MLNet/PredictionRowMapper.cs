using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML;

/// <summary>
/// Maps rows of the input schema to rows with the model's output columns appended. Used by
/// <c>CreatePredictionEngine</c> directly and, through <see cref="PredictionDataView"/>, by <c>Transform</c>, so both
/// compute every output the same way.
/// </summary>
internal sealed class PredictionRowMapper : IRowToRowMapper
{
    private readonly FeedForwardModelParameters _model;
    private readonly int _featureColumnIndex;
    private readonly IReadOnlyList<OutputColumns.Column> _outputs;

    public PredictionRowMapper(FeedForwardModelParameters model, DataViewSchema inputSchema, string featureColumnName)
    {
        _model = model;
        InputSchema = inputSchema;
        _featureColumnIndex = FeatureColumn.Check(inputSchema, featureColumnName, model.Network.InputCount).Index;
        _outputs = OutputColumns.For(model.Kind, model.ClassLabels);
        OutputSchema = OutputColumns.Append(inputSchema, _outputs);
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    private int FirstOutputIndex => InputSchema.Count;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new SortedSet<int>();
        foreach (DataViewSchema.Column column in dependingColumns)
            needed.Add(column.Index < FirstOutputIndex ? column.Index : _featureColumnIndex);
        return needed.Select(i => InputSchema[i]).ToArray();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        if (input.Schema != InputSchema) throw new ArgumentException("The row's schema is not the schema this mapper was made for.", nameof(input));
        return new PredictionCursor(this, input, activeColumns);
    }

    /// <summary>Which output columns (by index) this mapper computes.</summary>
    public bool IsOutput(int columnIndex) => columnIndex >= FirstOutputIndex;

    /// <summary>One scorer per cursor, shared by all its output columns.</summary>
    public RowScorer CreateScorer(DataViewRow input, BatchScorer? batch) => new(_model, input, InputSchema[_featureColumnIndex], batch);

    /// <summary>A batch scorer over <paramref name="data"/> (whose schema is this mapper's input schema).</summary>
    public BatchScorer CreateBatchScorer(IDataView data) => new(_model, data, InputSchema[_featureColumnIndex]);

    public Delegate CreateOutputGetter(RowScorer scorer, int columnIndex)
    {
        string name = _outputs[columnIndex - FirstOutputIndex].Name;
        return (_model.Kind, name) switch
        {
            (PredictionKind.MulticlassClassification, OutputColumns.Score) => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                RowPredictor predictor = scorer.Current;
                var editor = VBufferEditor.Create(ref value, predictor.Outputs.Length);
                predictor.Outputs.CopyTo(editor.Values);
                value = editor.Commit();
            }),
            (PredictionKind.MulticlassClassification, OutputColumns.PredictedLabel) => (ValueGetter<uint>)((ref uint value) =>
            {
                value = scorer.Current.PredictedClass();
            }),
            (PredictionKind.BinaryClassification, OutputColumns.Score) => (ValueGetter<float>)((ref float value) =>
            {
                value = scorer.Current.Logits[0];
            }),
            (PredictionKind.BinaryClassification, OutputColumns.Probability) => (ValueGetter<float>)((ref float value) =>
            {
                value = scorer.Current.Outputs[0];
            }),
            (PredictionKind.BinaryClassification, OutputColumns.PredictedLabel) => (ValueGetter<bool>)((ref bool value) =>
            {
                value = scorer.Current.Logits[0] > 0f;
            }),
            _ => (ValueGetter<float>)((ref float value) =>
            {
                value = scorer.Current.Outputs[0];
            }),
        };
    }
}
