using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Trainers;

/// <summary>Label smoothing and class weights, as a user sets them on the classification trainers.</summary>
public class ClassificationOptionsTests
{
    /// <summary>
    /// On the nearly separable breast-cancer data a network trained long enough pushes probabilities to 0 and 1; with
    /// label smoothing ε = 0.2 each row's loss is smallest at 1 − ε/2 = 0.9 for a positive (ε/2 = 0.1 for a negative),
    /// so the probabilities gather there: the mean over each class within 0.05 of it, and no row past 0.98 or below
    /// 0.02 (a smooth network cannot hold every row exactly at 0.9; rows far from the boundary drift a little past it).
    /// </summary>
    [Fact]
    public void Label_smoothing_keeps_probabilities_away_from_0_and_1()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Transforms.NormalizeMeanVariance("Features").Fit(RealData.BreastCancer(ml)).Transform(RealData.BreastCancer(ml));
        List<float[]> Probabilities(float smoothing) => FloatColumns.Read(ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options
        {
            HiddenLayers = [32], Epochs = 150, EarlyStoppingRounds = 0, Seed = 1, LabelSmoothing = smoothing,
        }).Fit(data).Transform(data), "Probability");

        List<float[]> plain = Probabilities(0f), smoothed = Probabilities(0.2f);
        bool[] labels = ml.Data.CreateEnumerable<LabelOnly>(data, reuseRowObject: false).Select(r => r.Label).ToArray();
        Assert.True(plain.Max(p => p[0]) > 0.999f && plain.Min(p => p[0]) < 0.001f, "without smoothing the network should saturate");
        Assert.InRange(smoothed.Max(p => p[0]), 0.85f, 0.98f);
        Assert.InRange(smoothed.Min(p => p[0]), 0.02f, 0.15f);
        Assert.InRange(smoothed.Where((_, i) => labels[i]).Average(p => p[0]), 0.85, 0.95);
        Assert.InRange(smoothed.Where((_, i) => !labels[i]).Average(p => p[0]), 0.05, 0.15);
    }

    /// <summary>Rows of one feature: 1,900 negatives from N(0, 1) and 100 positives from N(1.5, 1).</summary>
    private static IDataView Imbalanced(MLContext ml, int seed)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var rows = Enumerable.Range(0, 2000).Select(i => i < 100
            ? new Row { Features = [(float)(1.5 + Gaussian())], Label = true, Weight = 2f }
            : new Row { Features = [(float)Gaussian()], Label = false, Weight = 1f }).ToList();
        return ml.Data.LoadFromEnumerable(rows);
    }

    /// <summary>
    /// Unweighted, the rare class is almost never predicted (its prior is 5%); balanced weights give both classes the
    /// same total weight, which moves the boundary to where the two densities cross, about x = 0.75: most positives
    /// are then found. The recall is measured on fresh rows from the same distributions.
    /// </summary>
    [Fact]
    public void Balanced_class_weights_move_the_boundary_towards_the_common_class()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = Imbalanced(ml, 1), test = Imbalanced(ml, 2);
        double Recall(ClassWeights weights)
        {
            var model = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [8], Seed = 1, ClassWeights = weights }).Fit(train);
            var predictions = ml.Data.CreateEnumerable<Prediction>(model.Transform(test), reuseRowObject: false).ToList();
            return predictions.Take(100).Count(p => p.PredictedLabel) / 100.0;
        }
        double plain = Recall(ClassWeights.None), balanced = Recall(ClassWeights.Balanced);
        Assert.True(plain < 0.3, $"recall without class weights {plain}");
        Assert.True(balanced > 0.6, $"recall with balanced class weights {balanced}");
    }

    /// <summary>A class weight multiplies the example weight: weighing "true" by 2 is the same training as an example weight of 2 on those rows.</summary>
    [Fact]
    public void An_explicit_class_weight_equals_the_same_example_weight()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = Imbalanced(ml, 3);
        float[] byClass = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options
        {
            HiddenLayers = [4], Epochs = 3, Seed = 2, ClassWeights = ClassWeights.Explicit(new Dictionary<string, float> { ["True"] = 2f }),
        }).Fit(data).Model.GetParameters();
        float[] byExample = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options
        {
            HiddenLayers = [4], Epochs = 3, Seed = 2, ExampleWeightColumnName = "Weight",
        }).Fit(data).Model.GetParameters();
        Assert.Equal(byExample, byClass);
    }

    [Fact]
    public void An_explicit_weight_for_a_class_the_label_does_not_have_is_named()
    {
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Species").Append(ml.MulticlassClassification.Trainers.FeedForward(
            new FeedForwardMulticlassTrainer.Options { Epochs = 1, ClassWeights = ClassWeights.Explicit(new Dictionary<string, float> { ["setosa"] = 2f, ["rose"] = 3f }) }));
        var ex = Assert.Throws<ArgumentException>(() => pipeline.Fit(RealData.Iris(ml)));
        Assert.Contains("'rose'", ex.Message);
        Assert.Contains("'setosa'", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassWeights.Explicit(new Dictionary<string, float> { ["a"] = -1f }));
    }

    private sealed class Row
    {
        [VectorType(1)] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
        public float Weight { get; set; }
    }

    private sealed class LabelOnly
    {
        public bool Label { get; set; }
    }

    private sealed class Prediction
    {
        public bool PredictedLabel { get; set; }
    }
}
