using Microsoft.ML.Runtime;
using NeuralML.Training;

namespace NeuralML;

/// <summary>
/// Trains a feedforward neural network (multilayer perceptron) for regression: hidden dense layers and one linear
/// output. The label is standardised during training and the scale folded back into the output layer, so the
/// defaults work whatever the label's unit. Create it with <c>mlContext.Regression.Trainers.FeedForward(...)</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Machine learning task</term><description>Regression</description></item>
/// <item><term>Label</term><description>Single; rows with a NaN label are skipped</description></item>
/// <item><term>Features</term><description>Known-size vector of Single</description></item>
/// <item><term>Output columns</term><description>Score (Single)</description></item>
/// <item><term>Is normalization required?</term><description>Recommended (NormalizeMinMax or NormalizeMeanVariance); the trainer also standardises features internally and folds that into the first layer.</description></item>
/// <item><term>Is caching required?</term><description>No: the trainer reads the data once and keeps a dense copy.</description></item>
/// <item><term>Required NuGet in addition to Microsoft.ML</term><description>NeuralML</description></item>
/// </list>
/// </remarks>
public sealed class FeedForwardRegressionTrainer : FeedForwardTrainerBase<FeedForwardRegressionTrainer.Options>
{
    /// <summary>Options of <see cref="FeedForwardRegressionTrainer"/>; see <see cref="FeedForwardOptions"/>.</summary>
    public sealed class Options : FeedForwardOptions
    {
        /// <summary>The loss to minimise. Default <see cref="RegressionLoss.SquaredError"/>.</summary>
        public RegressionLoss Loss { get; set; } = RegressionLoss.SquaredError;
    }

    internal FeedForwardRegressionTrainer(IHostEnvironment? environment, Options options)
        : base(environment, options, PredictionKind.Regression)
    {
    }

    private protected override LossKind Loss => TrainerOptions.Loss switch
    {
        RegressionLoss.SquaredError => LossKind.SquaredError,
        RegressionLoss.AbsoluteError => LossKind.AbsoluteError,
        RegressionLoss.Huber => LossKind.Huber,
        _ => throw new ArgumentOutOfRangeException(nameof(Options.Loss), TrainerOptions.Loss, "Unknown regression loss."),
    };
}
