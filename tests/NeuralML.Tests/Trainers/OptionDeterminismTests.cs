using Microsoft.ML;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Trainers;

/// <summary>Each option of the training toolbox keeps training bit-identical at 1, 2 and 4 threads.</summary>
public class OptionDeterminismTests
{
    public static TheoryData<string> Variations() => new(Variation.Keys);

    private static readonly Dictionary<string, Action<FeedForwardBinaryTrainer.Options>> Variation = new()
    {
        ["L1"] = o => o.L1Regularization = 1e-3f,
        ["WeightDecay"] = o => o.WeightDecay = 0.05f,
        ["AdamW"] = o => o.Optimizer = OptimizerKind.AdamW,
        ["RmsProp"] = o => o.Optimizer = OptimizerKind.RmsProp,
        ["Lbfgs"] = o => o.Optimizer = OptimizerKind.Lbfgs,
        ["BatchNormalization"] = o => o.BatchNormalization = true,
        ["GradientClipNorm"] = o => o.GradientClipNorm = 0.5f,
        ["LabelSmoothing"] = o => o.LabelSmoothing = 0.1f,
        ["ClassWeights"] = o => o.ClassWeights = ClassWeights.Balanced,
        ["StepDecay"] = o => o.LearningRateSchedule = LearningRateSchedule.StepDecay,
        ["ExponentialDecay"] = o => o.LearningRateSchedule = LearningRateSchedule.ExponentialDecay,
        ["CosineAnnealing"] = o => (o.LearningRateSchedule, o.LearningRateWarmupEpochs) = (LearningRateSchedule.CosineAnnealing, 1),
        ["OneCycle"] = o => o.LearningRateSchedule = LearningRateSchedule.OneCycle,
        ["ReduceOnPlateau"] = o => (o.LearningRateSchedule, o.LearningRatePatience) = (LearningRateSchedule.ReduceOnPlateau, 1),
    };

    [Theory]
    [MemberData(nameof(Variations))]
    public void Training_is_bit_identical_at_1_2_and_4_threads(string variation)
    {
        var ml = new MLContext();
        IDataView data = RealData.BreastCancer(ml);
        float[] Train(int threads)
        {
            // Wide layers and batch 64 split the products across threads.
            var options = new FeedForwardBinaryTrainer.Options { Seed = 5, Epochs = 3, HiddenLayers = [256, 128], BatchSize = 64, NumberOfThreads = threads };
            Variation[variation](options);
            return ml.BinaryClassification.Trainers.FeedForward(options).Fit(data).Model.GetParameters();
        }
        float[] one = Train(1);
        Assert.Equal(one, Train(2));
        Assert.Equal(one, Train(4));
        Assert.All(one, p => Assert.True(float.IsFinite(p)));
    }
}
