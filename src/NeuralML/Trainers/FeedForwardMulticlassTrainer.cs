using Microsoft.ML.Runtime;
using NeuralML.Training;

namespace NeuralML;

/// <summary>
/// Trains a feedforward neural network (multilayer perceptron) for multiclass classification: hidden dense layers,
/// one output logit per class, softmax with sparse categorical cross-entropy. Create it with
/// <c>mlContext.MulticlassClassification.Trainers.FeedForward(...)</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Machine learning task</term><description>Multiclass classification</description></item>
/// <item><term>Label</term><description>Key type (use MapValueToKey); key 0 (missing) rows are skipped</description></item>
/// <item><term>Features</term><description>Known-size vector of Single</description></item>
/// <item><term>Output columns</term><description>Score (vector of class probabilities), PredictedLabel (the label's key type)</description></item>
/// <item><term>Is normalization required?</term><description>Recommended (NormalizeMinMax or NormalizeMeanVariance); the trainer also standardises features internally and folds that into the first layer.</description></item>
/// <item><term>Is caching required?</term><description>No: the trainer reads the data once and keeps a dense copy.</description></item>
/// <item><term>Required NuGet in addition to Microsoft.ML</term><description>NeuralML</description></item>
/// </list>
/// </remarks>
public sealed class FeedForwardMulticlassTrainer : FeedForwardTrainerBase<FeedForwardMulticlassTrainer.Options>
{
    /// <summary>Options of <see cref="FeedForwardMulticlassTrainer"/>; see <see cref="FeedForwardClassificationOptions"/> and <see cref="FeedForwardOptions"/>.</summary>
    public sealed class Options : FeedForwardClassificationOptions
    {
    }

    internal FeedForwardMulticlassTrainer(IHostEnvironment? environment, Options options)
        : base(environment, options, PredictionKind.MulticlassClassification)
    {
    }

    private protected override LossKind Loss => LossKind.SparseCategoricalCrossEntropy;
}
