using Microsoft.ML.Runtime;
using NeuralML;
using NeuralML.Bridge;

namespace Microsoft.ML;

/// <summary>
/// Adds <c>FeedForward</c> trainers to <c>mlContext.BinaryClassification.Trainers</c>,
/// <c>mlContext.MulticlassClassification.Trainers</c> and <c>mlContext.Regression.Trainers</c>.
/// </summary>
public static class FeedForwardCatalog
{
    /// <summary>A feedforward neural-network trainer for binary classification, with default options.</summary>
    /// <param name="catalog">The binary classification trainers catalog.</param>
    /// <param name="labelColumnName">The label column, of type Boolean.</param>
    /// <param name="featureColumnName">The feature column, a known-size vector of Single.</param>
    /// <param name="exampleWeightColumnName">An optional column of per-example weights.</param>
    /// <param name="hiddenLayers">Hidden layer widths; null to choose them from the number of rows.</param>
    /// <param name="epochs">Passes over the data; null to choose from the data size.</param>
    /// <param name="learningRate">The optimizer's learning rate; null to choose it from the data size (see <see cref="FeedForwardOptions.LearningRate"/>).</param>
    public static FeedForwardBinaryTrainer FeedForward(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label, string featureColumnName = DefaultColumnNames.Features,
        string? exampleWeightColumnName = null, int[]? hiddenLayers = null, int? epochs = null, float? learningRate = null)
        => catalog.FeedForward(Fill(new FeedForwardBinaryTrainer.Options(), labelColumnName, featureColumnName, exampleWeightColumnName, hiddenLayers, epochs, learningRate));

    /// <summary>A feedforward neural-network trainer for binary classification.</summary>
    /// <param name="catalog">The binary classification trainers catalog.</param>
    /// <param name="options">The trainer's options.</param>
    public static FeedForwardBinaryTrainer FeedForward(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, FeedForwardBinaryTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new FeedForwardBinaryTrainer(MLNetInternals.EnvironmentOf(catalog), options);
    }

    /// <summary>A feedforward neural-network trainer for multiclass classification, with default options.</summary>
    /// <param name="catalog">The multiclass classification trainers catalog.</param>
    /// <param name="labelColumnName">The label column, of a key type (use MapValueToKey).</param>
    /// <param name="featureColumnName">The feature column, a known-size vector of Single.</param>
    /// <param name="exampleWeightColumnName">An optional column of per-example weights.</param>
    /// <param name="hiddenLayers">Hidden layer widths; null to choose them from the number of rows.</param>
    /// <param name="epochs">Passes over the data; null to choose from the data size.</param>
    /// <param name="learningRate">The optimizer's learning rate; null to choose it from the data size (see <see cref="FeedForwardOptions.LearningRate"/>).</param>
    public static FeedForwardMulticlassTrainer FeedForward(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label, string featureColumnName = DefaultColumnNames.Features,
        string? exampleWeightColumnName = null, int[]? hiddenLayers = null, int? epochs = null, float? learningRate = null)
        => catalog.FeedForward(Fill(new FeedForwardMulticlassTrainer.Options(), labelColumnName, featureColumnName, exampleWeightColumnName, hiddenLayers, epochs, learningRate));

    /// <summary>A feedforward neural-network trainer for multiclass classification.</summary>
    /// <param name="catalog">The multiclass classification trainers catalog.</param>
    /// <param name="options">The trainer's options.</param>
    public static FeedForwardMulticlassTrainer FeedForward(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, FeedForwardMulticlassTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new FeedForwardMulticlassTrainer(MLNetInternals.EnvironmentOf(catalog), options);
    }

    /// <summary>A feedforward neural-network trainer for regression, with default options.</summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="labelColumnName">The label column, of type Single.</param>
    /// <param name="featureColumnName">The feature column, a known-size vector of Single.</param>
    /// <param name="exampleWeightColumnName">An optional column of per-example weights.</param>
    /// <param name="hiddenLayers">Hidden layer widths; null to choose them from the number of rows.</param>
    /// <param name="epochs">Passes over the data; null to choose from the data size.</param>
    /// <param name="learningRate">The optimizer's learning rate; null to choose it from the data size (see <see cref="FeedForwardOptions.LearningRate"/>).</param>
    public static FeedForwardRegressionTrainer FeedForward(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label, string featureColumnName = DefaultColumnNames.Features,
        string? exampleWeightColumnName = null, int[]? hiddenLayers = null, int? epochs = null, float? learningRate = null)
        => catalog.FeedForward(Fill(new FeedForwardRegressionTrainer.Options(), labelColumnName, featureColumnName, exampleWeightColumnName, hiddenLayers, epochs, learningRate));

    /// <summary>A feedforward neural-network trainer for regression.</summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="options">The trainer's options.</param>
    public static FeedForwardRegressionTrainer FeedForward(this RegressionCatalog.RegressionTrainers catalog, FeedForwardRegressionTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new FeedForwardRegressionTrainer(MLNetInternals.EnvironmentOf(catalog), options);
    }

    /// <summary>
    /// Lets <c>mlContext.Model.Load</c> in this context create NeuralML's transformers: call it once, before loading a
    /// saved pipeline, in any process that did not train with NeuralML through the same <c>MLContext</c>.
    /// (ML.NET finds third-party transformers only through internal attributes, so it cannot find them by itself.)
    /// </summary>
    /// <param name="catalog">The context's component catalog, <c>mlContext.ComponentCatalog</c>.</param>
    public static void RegisterNeuralML(this ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        FeedForwardPredictionTransformer.RegisterLoader(catalog);
    }

    private static TOptions Fill<TOptions>(TOptions options, string label, string features, string? weights, int[]? hiddenLayers, int? epochs, float? learningRate)
        where TOptions : FeedForwardOptions
    {
        options.LabelColumnName = label;
        options.FeatureColumnName = features;
        options.ExampleWeightColumnName = weights;
        if (hiddenLayers is not null) options.HiddenLayers = hiddenLayers;
        options.Epochs = epochs;
        options.LearningRate = learningRate;
        return options;
    }

    private static class DefaultColumnNames
    {
        public const string Label = "Label";
        public const string Features = "Features";
    }
}
