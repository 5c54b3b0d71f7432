using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Columns;

namespace NeuralML.Scoring;

/// <summary>
/// Maps rows of the input schema to rows with the model's output columns appended (<see cref="TaskColumns"/>). The
/// one scoring path: <c>CreatePredictionEngine</c> uses it directly and <c>Transform</c> through
/// <see cref="ScoredDataView"/>, and both read every output from a cursor's <see cref="RowScores"/>.
/// </summary>
internal sealed class ScoringRowMapper : IRowToRowMapper
{
    private readonly FeedForwardModelParameters _model;
    private readonly TaskColumns _columns;

    public ScoringRowMapper(FeedForwardModelParameters model, DataViewSchema inputSchema, string featureColumnName)
    {
        _model = model;
        _columns = TaskColumns.For(model.Kind);
        InputSchema = inputSchema;
        FeatureColumn = ColumnChecks.CheckFeature(inputSchema, featureColumnName, model.Network.InputCount);
        OutputSchema = _columns.AppendOutputs(inputSchema, model.ClassLabels);
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public DataViewSchema.Column FeatureColumn { get; }

    public FeedForwardModelParameters Model => _model;

    private int FirstOutputIndex => InputSchema.Count;

    /// <summary>Whether a column (by index in <see cref="OutputSchema"/>) is one this mapper computes.</summary>
    public bool IsOutput(int columnIndex) => columnIndex >= FirstOutputIndex;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new SortedSet<int>();
        foreach (DataViewSchema.Column column in dependingColumns)
            needed.Add(IsOutput(column.Index) ? FeatureColumn.Index : column.Index);
        return needed.Select(i => InputSchema[i]).ToArray();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        if (input.Schema != InputSchema) throw new ArgumentException("The row's schema is not the schema this mapper was made for.", nameof(input));
        return new ScoringCursor(this, input, activeColumns, lookahead: null);
    }

    /// <summary>The getter of output column <paramref name="columnIndex"/>, reading the scores of the cursor's current row.</summary>
    public Delegate CreateGetter(RowScores scores, int columnIndex) => _columns.Outputs[columnIndex - FirstOutputIndex].Value switch
    {
        OutputValue.Logit => (ValueGetter<float>)([MethodImpl(MethodImplOptions.AggressiveOptimization)] (ref float value) => value = scores.Current.Logits[0]),
        OutputValue.FirstOutput => (ValueGetter<float>)([MethodImpl(MethodImplOptions.AggressiveOptimization)] (ref float value) => value = scores.Current.Outputs[0]),
        OutputValue.LogitIsPositive => (ValueGetter<bool>)([MethodImpl(MethodImplOptions.AggressiveOptimization)] (ref bool value) => value = scores.Current.Logits[0] > 0f),
        OutputValue.ClassProbabilities => (ValueGetter<VBuffer<float>>)([MethodImpl(MethodImplOptions.AggressiveOptimization)] (ref VBuffer<float> value) =>
        {
            float[] outputs = scores.Current.Outputs;
            var editor = VBufferEditor.Create(ref value, outputs.Length);
            outputs.CopyTo(editor.Values);
            value = editor.Commit();
        }),
        OutputValue.MostProbableClass => (ValueGetter<uint>)([MethodImpl(MethodImplOptions.AggressiveOptimization)] (ref uint value) => value = scores.Current.MostProbableClassKey()),
        _ => throw new InvalidOperationException($"Unknown output value for column {columnIndex}."),
    };
}
