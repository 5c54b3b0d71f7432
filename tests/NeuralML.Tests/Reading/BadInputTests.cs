using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Tests.Reading;

/// <summary>Bad training data stops training with an exception that names the column (and the row and value where there is one).</summary>
public class BadInputTests
{
    private readonly MLContext _ml = new(seed: 1);

    private IDataView Rows(params (float[] Features, float Label)[] rows)
        => _ml.Data.LoadFromEnumerable(rows.Select(r => new FloatRow { Features = r.Features, Label = r.Label }));

    private IDataView BoolRows(params (float[] Features, bool Label)[] rows)
        => _ml.Data.LoadFromEnumerable(rows.Select(r => new BoolRow { Features = r.Features, Label = r.Label }));

    private static FeedForwardRegressionTrainer.Options Quick() => new() { HiddenLayers = [2], Epochs = 1 };

    [Fact]
    public void NaN_feature_names_the_column_the_row_and_the_slot()
    {
        var trainer = _ml.Regression.Trainers.FeedForward(Quick());
        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(Rows(([1, 2], 3), ([4, 5], 6), ([7, float.NaN], 8))));
        Assert.Contains("Feature column 'Features'", ex.Message);
        Assert.Contains("NaN", ex.Message);
        Assert.Contains("slot 1 of row 2", ex.Message);
    }

    [Fact]
    public void Infinite_feature_in_a_sparse_vector_is_reported_with_its_slot()
    {
        var rows = new[]
        {
            new SparseRow { Features = new VBuffer<float>(5, 1, [float.PositiveInfinity], [3]), Label = 1 },
        };
        var trainer = _ml.Regression.Trainers.FeedForward(Quick());
        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(_ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("slot 3 of row 0", ex.Message);
    }

    [Fact]
    public void Empty_training_set_is_an_error()
    {
        var trainer = _ml.Regression.Trainers.FeedForward(Quick());
        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(Rows()));
        Assert.Contains("empty", ex.Message);
    }

    [Fact]
    public void Training_set_whose_labels_are_all_missing_is_an_error_naming_the_label()
    {
        var trainer = _ml.Regression.Trainers.FeedForward(Quick());
        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(Rows(([1, 2], float.NaN), ([3, 4], float.NaN))));
        Assert.Contains("label column 'Label'", ex.Message);
    }

    [Fact]
    public void Single_class_binary_training_set_is_an_error()
    {
        var trainer = _ml.BinaryClassification.Trainers.FeedForward();
        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(BoolRows(([1, 2], true), ([2, 3], true))));
        Assert.Contains("'Label'", ex.Message);
        Assert.Contains("true in all 2", ex.Message);
    }

    [Fact]
    public void Negative_weight_names_the_weight_column_and_row()
    {
        var rows = new[] { new WeightedRow { Features = [1, 2], Label = 1, Weight = 1 }, new WeightedRow { Features = [2, 1], Label = 0, Weight = -1 } };
        var trainer = _ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { ExampleWeightColumnName = "Weight", Epochs = 1 });
        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(_ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("Weight column 'Weight' has the value -1 at row 1", ex.Message);
    }

    [Fact]
    public void Training_with_only_zero_weights_names_the_weight_column()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(i => new ZeroWeightRow { Features = [i, 1, 2, 3, 4], Label = i, W = 0 }));
        var ex = Assert.Throws<InvalidOperationException>(() =>
            ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { ExampleWeightColumnName = "W", Epochs = 1 }).Fit(data));
        Assert.Contains("'W'", ex.Message);
    }

    private sealed class FloatRow
    {
        [VectorType(2)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class WideRow
    {
        [VectorType(3)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class BoolRow
    {
        [VectorType(2)] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    private sealed class SparseRow
    {
        [VectorType(5)] public VBuffer<float> Features { get; set; }
        public float Label { get; set; }
    }

    private sealed class WeightedRow
    {
        [VectorType(2)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
        public float Weight { get; set; }
    }

    private sealed class ZeroWeightRow
    {
        [VectorType(5)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
        public float W { get; set; }
    }
}
