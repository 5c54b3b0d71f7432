using Microsoft.ML;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Trainers;

/// <summary>Every optimizer trains a real multiclass pipeline to a good model with its defaults, and L-BFGS says when it converged.</summary>
public class OptimizerPipelineTests
{
    [Theory]
    [InlineData(OptimizerKind.Sgd, 0.01f)]
    [InlineData(OptimizerKind.Adam, 0.01f)]
    [InlineData(OptimizerKind.AdamW, 0.01f)]
    [InlineData(OptimizerKind.RmsProp, 0.001f)]
    [InlineData(OptimizerKind.Lbfgs, 0.01f)]
    public void Each_optimizer_learns_iris(OptimizerKind optimizer, float learningRate)
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source.StartsWith("FeedForward", StringComparison.Ordinal)) lock (log) log.Add(e.RawMessage);
        };
        var split = ml.Data.TrainTestSplit(RealData.Iris(ml), 0.3, seed: 0);
        var model = ml.Transforms.Conversion.MapValueToKey("Label", "Species")
            .Append(ml.MulticlassClassification.Trainers.FeedForward(new FeedForwardMulticlassTrainer.Options
            {
                HiddenLayers = [16], Optimizer = optimizer, LearningRate = learningRate, LearningRateSchedule = LearningRateSchedule.Constant, Epochs = 150, EarlyStoppingRounds = 0, Seed = 1,
            }))
            .Fit(split.TrainSet);
        double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet)).MicroAccuracy;
        Assert.True(accuracy >= 0.9, $"{optimizer}: test accuracy {accuracy:F3}");
        if (optimizer == OptimizerKind.Lbfgs)
            Assert.Contains(log, m => m.Contains("Lbfgs converged after epoch", StringComparison.Ordinal) || m.Contains("final loss", StringComparison.Ordinal));
    }
}
