using Microsoft.ML.Runtime;
using NeuralML.Training;

namespace NeuralML;

/// <summary>
/// Trains a feedforward neural network (multilayer perceptron) for binary classification: hidden dense layers, one
/// output logit, sigmoid with binary cross-entropy. Create it with
/// <c>mlContext.BinaryClassification.Trainers.FeedForward(...)</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Machine learning task</term><description>Binary classification</description></item>
/// <item><term>Label</term><description>Boolean</description></item>
/// <item><term>Features</term><description>Known-size vector of Single</description></item>
/// <item><term>Output columns</term><description>Score (Single, the logit), Probability (Single), PredictedLabel (Boolean)</description></item>
/// <item><term>Is normalization required?</term><description>Recommended (NormalizeMinMax or NormalizeMeanVariance); the trainer also standardises features internally and folds that into the first layer.</description></item>
/// <item><term>Is caching required?</term><description>No: the trainer reads the data once and keeps a dense copy.</description></item>
/// <item><term>Required NuGet in addition to Microsoft.ML</term><description>NeuralML</description></item>
/// </list>
/// </remarks>
public sealed class FeedForwardBinaryTrainer : FeedForwardTrainerBase<FeedForwardBinaryTrainer.Options>
{
    /// <summary>Options of <see cref="FeedForwardBinaryTrainer"/>; see <see cref="FeedForwardClassificationOptions"/> and <see cref="FeedForwardOptions"/>.</summary>
    public sealed class Options : FeedForwardClassificationOptions
    {
    }

    internal FeedForwardBinaryTrainer(IHostEnvironment? environment, Options options)
        : base(environment, options, PredictionKind.BinaryClassification)
    {
    }

    private protected override LossKind Loss => LossKind.BinaryCrossEntropy;
}
