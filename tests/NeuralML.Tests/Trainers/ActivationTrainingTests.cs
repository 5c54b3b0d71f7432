using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Trainers;

/// <summary>
/// The activations added with the training toolbox, end to end through ML.NET: they learn, train bit-identically at
/// 1, 2 and 4 threads, score the same bits through Transform and PredictionEngine, and save and load bit for bit.
/// </summary>
public class ActivationTrainingTests
{
    public static TheoryData<Activation> NewActivations() => new(Activation.PRelu, Activation.Gelu, Activation.Silu, Activation.Selu);

    private static FeedForwardBinaryTrainer.Options Options(Activation activation, int? threads = null) => new()
    {
        Activation = activation, Seed = 3, Epochs = 3, HiddenLayers = [256, 128], BatchSize = 64, NumberOfThreads = threads,
    };

    [Theory]
    [MemberData(nameof(NewActivations))]
    public void Training_is_bit_identical_at_1_2_and_4_threads(Activation activation)
    {
        var ml = new MLContext();
        IDataView data = RealData.BreastCancer(ml);
        float[] Train(int threads) => ml.BinaryClassification.Trainers.FeedForward(Options(activation, threads)).Fit(data).Model.GetParameters();
        float[] one = Train(1);
        Assert.Equal(one, Train(2));
        Assert.Equal(one, Train(4));
    }

    [Theory]
    [MemberData(nameof(NewActivations))]
    public void A_network_of_each_activation_learns_and_scores_alike_everywhere(Activation activation)
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(RealData.BreastCancer(ml), 0.2, seed: 0);
        var model = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { Activation = activation, HiddenLayers = [32, 16], Seed = 2, Epochs = 30 }))
            .Fit(split.TrainSet);
        IDataView scored = model.Transform(split.TestSet);
        // The breast-cancer data is nearly separable: any working network ranks the test tumours well.
        Assert.True(ml.BinaryClassification.Evaluate(scored).AreaUnderRocCurve > 0.97, $"{activation} did not learn.");

        var engine = ml.Model.CreatePredictionEngine<Tumour, Prediction>(model);
        List<float[]> transformed = FloatColumns.Read(scored, "Score");
        var rows = ml.Data.CreateEnumerable<Tumour>(split.TestSet, reuseRowObject: false).ToList();
        for (int i = 0; i < rows.Count; i++) Assert.Equal(transformed[i][0], engine.Predict(rows[i]).Score);

        using var file = new TempFile(".zip");
        ml.Model.Save(model, split.TrainSet.Schema, file.Path);
        var loadContext = new MLContext();
        loadContext.ComponentCatalog.RegisterNeuralML();
        ITransformer loaded = loadContext.Model.Load(file.Path, out _);
        Assert.Equal(transformed, FloatColumns.Read(loaded.Transform(split.TestSet), "Score"));
    }

    private sealed class Tumour
    {
        [VectorType(30)] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
    }
}
