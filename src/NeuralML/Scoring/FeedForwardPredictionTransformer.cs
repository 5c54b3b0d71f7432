using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using NeuralML.Persistence;
using NeuralML.Scoring;

namespace NeuralML;

/// <summary>
/// Scores data with a trained FeedForward network and appends ML.NET's standard prediction columns:
/// binary <c>Score</c> (logit), <c>Probability</c>, <c>PredictedLabel</c> (Boolean); multiclass <c>Score</c> (class
/// probabilities, slot names from the label's key values) and key-typed <c>PredictedLabel</c>; regression <c>Score</c>.
/// </summary>
public sealed class FeedForwardPredictionTransformer : ISingleFeaturePredictionTransformer<FeedForwardModelParameters>
{
    internal FeedForwardPredictionTransformer(FeedForwardModelParameters model, string featureColumnName)
    {
        Model = model;
        FeatureColumnName = featureColumnName;
        FeatureColumnType = new VectorDataViewType(NumberDataViewType.Single, model.Network.InputCount);
    }

    /// <summary>The trained network.</summary>
    public FeedForwardModelParameters Model { get; }

    /// <summary>The name of the feature column the model reads.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The type of the feature column: a vector of Single of the training width.</summary>
    public DataViewType FeatureColumnType { get; }

    /// <summary>Always true: each output row depends only on its input row.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The schema <see cref="Transform"/> produces from <paramref name="inputSchema"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or of another type or width.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => GetRowToRowMapper(inputSchema).OutputSchema;

    /// <summary>The row mapper behind <see cref="Transform"/>; <c>CreatePredictionEngine</c> uses it.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new ScoringRowMapper(Model, inputSchema, FeatureColumnName);
    }

    /// <summary>The read-ahead scorers' buffers, kept between the cursors of the views this transformer makes.</summary>
    private readonly LookaheadScorer.BufferPool _lookaheadBuffers = new();

    /// <summary>Appends the prediction columns to <paramref name="input"/>, lazily: rows are scored as they are read.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ScoredDataView(input, new ScoringRowMapper(Model, input.Schema, FeatureColumnName), _lookaheadBuffers);
    }

    /// <summary>
    /// Writes the model into a <c>mlContext.Model.Save</c> file (NeuralML's own versioned, checksummed format inside it).
    /// A process that loads the file calls <c>mlContext.ComponentCatalog.RegisterNeuralML()</c> before
    /// <c>mlContext.Model.Load</c>.
    /// </summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ModelPersistence.Write(ctx, Model, FeatureColumnName);
    }

    /// <summary>Lets <c>mlContext.Model.Load</c> in <paramref name="catalog"/> create this transformer from a saved model.</summary>
    internal static void RegisterLoader(ComponentCatalog catalog)
        => ModelPersistence.Register(catalog, typeof(FeedForwardPredictionTransformer),
            typeof(FeedForwardPredictionTransformer).GetMethod(nameof(Create), BindingFlags.NonPublic | BindingFlags.Static)!);

    /// <summary>Called by ML.NET's loader with the environment and its (internal) ModelLoadContext.</summary>
    private static FeedForwardPredictionTransformer Create(IHostEnvironment environment, object loadContext)
    {
        (FeedForwardModelParameters model, string featureColumn) = ModelPersistence.Read(loadContext);
        return new FeedForwardPredictionTransformer(model, featureColumn);
    }
}
