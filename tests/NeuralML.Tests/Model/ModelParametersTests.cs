using Microsoft.ML;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Model;

/// <summary>
/// The thread count scoring uses belongs to the machine that scores: a trained model takes the trainer's option, a
/// loaded one starts with all cores, and either can be set without changing a single prediction.
/// </summary>
public class ModelParametersTests
{
    [Fact]
    public void The_thread_count_is_the_trainers_option_then_a_setting_of_the_loaded_model()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = RealData.Diabetes(ml);
        var model = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { HiddenLayers = [8], Epochs = 2, NumberOfThreads = 1 }).Fit(data);
        Assert.Equal(1, model.Model.NumberOfThreads);

        using var file = new TempFile(".zip");
        ml.Model.Save(model, data.Schema, file.Path);
        var loaded = (FeedForwardPredictionTransformer)ml.Model.Load(file.Path, out _);
        Assert.Null(loaded.Model.NumberOfThreads);
        List<float[]> allCores = FloatColumns.Read(loaded.Transform(data), "Score");
        loaded.Model.NumberOfThreads = 1;
        Assert.Equal(1, loaded.Model.NumberOfThreads);
        Assert.Equal(allCores, FloatColumns.Read(loaded.Transform(data), "Score"));
        Assert.Equal(FloatColumns.Read(model.Transform(data), "Score"), allCores);
    }

    [Fact]
    public void A_thread_count_below_one_is_rejected()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { HiddenLayers = [2], Epochs = 1 }).Fit(RealData.Diabetes(ml)).Model;
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => model.NumberOfThreads = 0);
        Assert.Contains("NumberOfThreads", ex.Message);
        Assert.Null(model.NumberOfThreads);
    }
}
