using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Tests.Scoring;

/// <summary>
/// <see cref="FeedForwardModelParameters.Predict"/>, the bulk API for applications that hold arrays: for each task it
/// writes what <c>Transform</c> gives (regression's Score, binary's Probability, multiclass's Score), bit for bit, over
/// more rows than one chunk, row by row as in one call, from several threads at once; lengths that do not describe
/// whole rows are refused.
/// </summary>
public class BulkPredictionTests
{
    private const int Rows = 2_500, Width = 7;

    private sealed class Row
    {
        [VectorType(Width)] public float[] Features { get; set; } = [];
        public float Value { get; set; }
        public bool Positive { get; set; }
        public uint Class { get; set; }
    }

    private static List<Row> Data()
    {
        var random = new Random(3);
        return Enumerable.Range(0, Rows).Select(_ =>
        {
            float[] x = Enumerable.Range(0, Width).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray();
            float v = x[0] - x[1] * x[2] + 0.5f * x[3];
            return new Row { Features = x, Value = v, Positive = v > 0, Class = v > 0.4f ? 1u : v > -0.4f ? 2u : 3u };
        }).ToList();
    }

    public static TheoryData<string> Tasks() => ["Regression", "Binary", "Multiclass"];

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Predict_writes_what_Transform_gives_bit_for_bit(string task)
    {
        var ml = new MLContext(seed: 1);
        List<Row> rows = Data();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        (ITransformer model, FeedForwardModelParameters parameters, string column) = task switch
        {
            "Regression" => Fit(ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { LabelColumnName = "Value", HiddenLayers = [16, 8], Epochs = 2, Seed = 1 }), "Score"),
            "Binary" => Fit(ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { LabelColumnName = "Positive", HiddenLayers = [16, 8], Epochs = 2, Seed = 1 }), "Probability"),
            _ => Fit(ml.Transforms.Conversion.MapValueToKey("Label", "Class").Append(ml.MulticlassClassification.Trainers.FeedForward(new FeedForwardMulticlassTrainer.Options { HiddenLayers = [16, 8], Epochs = 2, Seed = 1 })), "Score"),
        };
        (ITransformer, FeedForwardModelParameters, string) Fit<T>(IEstimator<T> estimator, string name) where T : class, ITransformer
        {
            ITransformer fitted = estimator.Fit(data);
            FeedForwardModelParameters model = fitted switch
            {
                FeedForwardPredictionTransformer single => single.Model,
                TransformerChain<FeedForwardPredictionTransformer> chain => chain.LastTransformer.Model,
                _ => throw new InvalidOperationException(),
            };
            return (fitted, model, name);
        }
        IDataView scored = model.Transform(data);
        float[] expected = scored.Schema[column].Type is VectorDataViewType
            ? scored.GetColumn<float[]>(column).SelectMany(v => v).ToArray()
            : scored.GetColumn<float>(column).ToArray();

        float[] features = rows.SelectMany(r => r.Features).ToArray();
        var bulk = new float[Rows * parameters.OutputCount];
        parameters.Predict(features, bulk);
        Assert.Equal(expected, bulk);

        var one = new float[parameters.OutputCount];
        for (int r = 0; r < Rows; r += 97)
        {
            parameters.Predict(features.AsSpan(r * Width, Width), one);
            Assert.Equal(expected.AsSpan(r * one.Length, one.Length).ToArray(), one);
        }

        var parallel = new float[8][];
        Parallel.For(0, 8, t =>
        {
            parallel[t] = new float[bulk.Length];
            parameters.Predict(features, parallel[t]);
        });
        Assert.All(parallel, p => Assert.Equal(expected, p));
    }

    [Fact]
    public void Lengths_that_do_not_describe_whole_rows_are_refused()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { LabelColumnName = "Value", HiddenLayers = [4], Epochs = 1, Seed = 1 })
            .Fit(ml.Data.LoadFromEnumerable(Data())).Model;
        Assert.Equal(Width, model.InputCount);
        Assert.Equal(1, model.OutputCount);
        var features = Assert.Throws<ArgumentException>(() => model.Predict(new float[Width + 1], new float[1]));
        Assert.Equal("features", features.ParamName);
        var predictions = Assert.Throws<ArgumentException>(() => model.Predict(new float[2 * Width], new float[1]));
        Assert.Equal("predictions", predictions.ParamName);
        model.Predict([], []); // no rows, nothing to do
    }
}
