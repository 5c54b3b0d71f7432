using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Columns;

/// <summary>
/// The table of each task's columns at work: a missing column or a label of the wrong type is named with what was
/// expected, and the estimator's promised output schema is the transformer's.
/// </summary>
public class SchemaTests
{
    private readonly MLContext _ml = new(seed: 1);

    private IDataView Rows(params (float[] Features, float Label)[] rows)
        => _ml.Data.LoadFromEnumerable(rows.Select(r => new FloatRow { Features = r.Features, Label = r.Label }));

    private static FeedForwardRegressionTrainer.Options Quick() => new() { HiddenLayers = [2], Epochs = 1 };

    [Fact]
    public void Missing_label_column_is_named()
    {
        var trainer = _ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { LabelColumnName = "Price" });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(Rows(([1, 2], 3))));
        Assert.Contains("'Price'", ex.Message);
        Assert.Contains("not found", ex.Message);
    }

    [Fact]
    public void Missing_feature_column_is_named()
    {
        var trainer = _ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { FeatureColumnName = "Inputs" });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(Rows(([1, 2], 3))));
        Assert.Contains("'Inputs'", ex.Message);
    }

    [Fact]
    public void Float_label_for_multiclass_says_to_map_it_to_a_key()
    {
        var trainer = _ml.MulticlassClassification.Trainers.FeedForward();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(Rows(([1, 2], 0), ([2, 1], 1))));
        Assert.Contains("label column 'Label'", ex.Message);
        Assert.Contains("MapValueToKey", ex.Message);
        Assert.Contains("Single", ex.Message);
    }

    [Fact]
    public void Float_label_for_binary_is_a_schema_mismatch()
    {
        var trainer = _ml.BinaryClassification.Trainers.FeedForward();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(Rows(([1, 2], 0), ([2, 1], 1))));
        Assert.Contains("label column 'Label': expected Boolean, got Single", ex.Message);
    }

    [Fact]
    public void Feature_width_mismatch_at_prediction_time_names_the_column()
    {
        var model = _ml.Regression.Trainers.FeedForward(Quick()).Fit(Rows(([1, 2], 3), ([4, 5], 6)));
        var wider = _ml.Data.LoadFromEnumerable(new[] { new WideRow { Features = [1, 2, 3], Label = 1 } });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(wider));
        Assert.Contains("feature column 'Features'", ex.Message);
        Assert.Contains("2 features", ex.Message);
    }

    [Fact]
    public void Estimator_output_schema_matches_the_transformed_schema()
    {
        var ml = new MLContext(seed: 3);
        IDataView data = RealData.Iris(ml);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Species")
            .Append(ml.MulticlassClassification.Trainers.FeedForward(new FeedForwardMulticlassTrainer.Options { HiddenLayers = [16], Seed = 1 }));
        // SchemaShape.Create is internal to ML.NET; the test reaches it by reflection.
        var create = typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static, [typeof(DataViewSchema)])!;
        SchemaShape shape = pipeline.GetOutputSchema((SchemaShape)create.Invoke(null, [data.Schema])!);
        DataViewSchema actual = pipeline.Fit(data).Transform(data).Schema;
        foreach (string name in new[] { "Score", "PredictedLabel" })
        {
            SchemaShape.Column column = shape.Single(c => c.Name == name);
            Assert.Equal(actual[name].Type is KeyDataViewType, column.IsKey);
            DataViewType itemType = (actual[name].Type as VectorDataViewType)?.ItemType ?? actual[name].Type;
            Assert.Equal(actual[name].Type is VectorDataViewType, column.Kind == SchemaShape.Column.VectorKind.Vector);
            Assert.Equal(itemType.RawType, column.ItemType.RawType);
        }
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
}
