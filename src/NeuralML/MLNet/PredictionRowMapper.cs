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
        => new PredictionCursor(this, input, activeColumns);

    /// <summary>Which output columns (by index) this mapper computes.</summary>
    public bool IsOutput(int columnIndex) => columnIndex >= FirstOutputIndex;

    public Delegate CreateOutputGetter(DataViewRow input, int columnIndex)
    {
        var predictor = new RowPredictor(_model);
        ValueGetter<VBuffer<float>> featureGetter = input.GetGetter<VBuffer<float>>(InputSchema[_featureColumnIndex]);
        VBuffer<float> features = default;
        long cachedPosition = -1;
        void Update()
        {
            if (cachedPosition == input.Position) return;
            featureGetter(ref features);
            predictor.Predict(features);
            cachedPosition = input.Position;
        }

        string name = _outputs[columnIndex - FirstOutputIndex].Name;
        return (_model.Kind, name) switch
        {
            (PredictionKind.MulticlassClassification, OutputColumns.Score) => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                Update();
                var editor = VBufferEditor.Create(ref value, predictor.Outputs.Length);
                predictor.Outputs.CopyTo(editor.Values);
                value = editor.Commit();
            }),
            (PredictionKind.MulticlassClassification, OutputColumns.PredictedLabel) => (ValueGetter<uint>)((ref uint value) =>
            {
                Update();
                value = predictor.PredictedClass();
            }),
            (PredictionKind.BinaryClassification, OutputColumns.Score) => (ValueGetter<float>)((ref float value) =>
            {
                Update();
                value = predictor.Logits[0];
            }),
            (PredictionKind.BinaryClassification, OutputColumns.Probability) => (ValueGetter<float>)((ref float value) =>
            {
                Update();
                value = predictor.Outputs[0];
            }),
            (PredictionKind.BinaryClassification, OutputColumns.PredictedLabel) => (ValueGetter<bool>)((ref bool value) =>
            {
                Update();
                value = predictor.Logits[0] > 0f;
            }),
            _ => (ValueGetter<float>)((ref float value) =>
            {
                Update();
                value = predictor.Outputs[0];
            }),
        };
    }
}
