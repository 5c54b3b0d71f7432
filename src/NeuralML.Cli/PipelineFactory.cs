using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using NeuralML.Cli.Data;

namespace NeuralML.Cli;

/// <summary>
/// The pipeline a careful user writes for a CSV: numeric and Boolean columns concatenated and their missing values
/// replaced by the training mean; category columns one-hot encoded (an unseen or missing category is all zeros); all of
/// it concatenated and standardised (mean 0, variance 1); then the FeedForward trainer for the task. Multiclass labels
/// are mapped to keys before it and the predicted key back to the class after it.
/// </summary>
public static class PipelineFactory
{
    /// <summary>The concatenated numeric and Boolean columns.</summary>
    public const string NumbersColumn = "__Numbers";

    /// <summary>The network's input.</summary>
    public const string FeaturesColumn = "__Features";

    /// <summary>Multiclass: the label as a key.</summary>
    public const string LabelKeyColumn = "__LabelKey";

    /// <summary>Multiclass: the predicted class, as text.</summary>
    public const string PredictedClassColumn = "__PredictedClass";

    /// <summary>The estimator chain for <paramref name="schema"/>, training with <paramref name="configure"/> applied to the trainer's options.</summary>
    public static IEstimator<ITransformer> Build(MLContext mlContext, DataSchema schema, Action<FeedForwardOptions> configure)
    {
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        var inputs = new List<string>();
        string[] numeric = schema.Features.Where(f => f.Kind != ColumnKind.Category).Select(f => f.Name).ToArray();
        if (numeric.Length > 0)
        {
            chain = chain.Append(mlContext.Transforms.Concatenate(NumbersColumn, numeric))
                .Append(mlContext.Transforms.ReplaceMissingValues(NumbersColumn, replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean));
            inputs.Add(NumbersColumn);
        }
        CsvFeature[] categories = schema.Features.Where(f => f.Kind == ColumnKind.Category).ToArray();
        if (categories.Length > 0)
        {
            InputOutputColumnPair[] pairs = categories.Select((c, i) => new InputOutputColumnPair($"__OneHot{i}", c.Name)).ToArray();
            chain = chain.Append(mlContext.Transforms.Categorical.OneHotEncoding(pairs));
            inputs.AddRange(pairs.Select(p => p.OutputColumnName));
        }
        chain = chain.Append(mlContext.Transforms.Concatenate(FeaturesColumn, inputs.ToArray()))
            .Append(mlContext.Transforms.NormalizeMeanVariance(FeaturesColumn));
        switch (schema.Task)
        {
            case TaskKind.Binary:
                var binary = new FeedForwardBinaryTrainer.Options { LabelColumnName = schema.Label, FeatureColumnName = FeaturesColumn };
                configure(binary);
                return chain.Append(mlContext.BinaryClassification.Trainers.FeedForward(binary));
            case TaskKind.Multiclass:
                var multiclass = new FeedForwardMulticlassTrainer.Options { LabelColumnName = LabelKeyColumn, FeatureColumnName = FeaturesColumn };
                configure(multiclass);
                return chain.Append(mlContext.Transforms.Conversion.MapValueToKey(LabelKeyColumn, schema.Label,
                        keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue))
                    .Append(mlContext.MulticlassClassification.Trainers.FeedForward(multiclass))
                    .Append(mlContext.Transforms.Conversion.MapKeyToValue(PredictedClassColumn, "PredictedLabel"));
            default:
                var regression = new FeedForwardRegressionTrainer.Options { LabelColumnName = schema.Label, FeatureColumnName = FeaturesColumn };
                configure(regression);
                return chain.Append(mlContext.Regression.Trainers.FeedForward(regression));
        }
    }
}
