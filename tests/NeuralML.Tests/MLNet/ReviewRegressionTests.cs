using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Tests.MLNet;

/// <summary>Cases found in review: each failed (or crashed) before its fix.</summary>
public class ReviewRegressionTests
{
    [Fact]
    public void Batched_scoring_is_right_when_a_second_cursor_sees_the_rows_in_another_order()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(4);
        var rows = Enumerable.Range(0, 600).Select(_ => Enumerable.Range(0, 5).Select(_ => random.NextSingle()).ToArray()).ToArray();
        var training = ml.Data.LoadFromEnumerable(rows.Select(f => new Row { Features = f, Label = f.Sum() }));
        var model = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { HiddenLayers = [8], Epochs = 2, Seed = 1 }).Fit(training);

        var scored = model.Transform(new AlternatingOrderView(rows));
        DataViewSchema.Column features = scored.Schema["Features"], score = scored.Schema["Score"];
        using DataViewRowCursor cursor = scored.GetRowCursor([features, score]);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        var getScore = cursor.GetGetter<float>(score);
        var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model);
        VBuffer<float> value = default;
        float actual = 0;
        int checkedRows = 0;
        while (cursor.MoveNext())
        {
            getFeatures(ref value);
            getScore(ref actual);
            Assert.Equal(engine.Predict(new Row { Features = value.DenseValues().ToArray() }).Score, actual);
            checkedRows++;
        }
        Assert.Equal(600, checkedRows);
    }

    [Fact]
    public void Training_with_only_zero_weights_names_the_weight_column()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(i => new WeightedRow { Features = [i, 1, 2, 3, 4], Label = i, W = 0 }));
        var ex = Assert.Throws<InvalidOperationException>(() =>
            ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { ExampleWeightColumnName = "W", Epochs = 1 }).Fit(data));
        Assert.Contains("'W'", ex.Message);
    }

    [Fact]
    public void Integer_class_labels_survive_save_and_load()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(2);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 90).Select(i => new IntLabelRow
        {
            Features = [(i % 3) + random.NextSingle() * 0.1f, random.NextSingle(), 0, 0, 0], Class = 10 * (i % 3),
        }).ToList());
        var model = ml.Transforms.Conversion.MapValueToKey("Label", "Class")
            .Append(ml.MulticlassClassification.Trainers.FeedForward(new FeedForwardMulticlassTrainer.Options { HiddenLayers = [4], Epochs = 3, Seed = 1 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel")).Fit(data);
        string path = Path.Combine(Path.GetTempPath(), $"neuralml-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var second = new MLContext();
            second.ComponentCatalog.RegisterNeuralML();
            ITransformer loaded = second.Model.Load(path, out _);
            var before = ml.Data.CreateEnumerable<IntPrediction>(model.Transform(data), reuseRowObject: false).Select(p => p.PredictedClass);
            var after = second.Data.CreateEnumerable<IntPrediction>(loaded.Transform(data), reuseRowObject: false).Select(p => p.PredictedClass);
            Assert.Equal(before, after);
            Assert.Contains(20, after);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Exporting_a_prediction_that_a_later_step_replaced_is_refused_cleanly()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = DataSets.BreastCancer(ml);
        var model = ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [4], Epochs = 1 })
            .Append(ml.Transforms.Conversion.MapValueToKey("PredictedLabel")).Fit(data);
        var ex = Assert.Throws<NotSupportedException>(() => ml.Model.ExportToOnnx(model, data, new MemoryStream()));
        Assert.Contains("PredictedLabel", ex.Message);
    }

    [Fact]
    public void Cancelling_the_MLContext_stops_training()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 200).Select(i => new Row { Features = [i, 1, 2, 3, 4], Label = i }));
        var trainer = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { Epochs = 100, EarlyStoppingRounds = 0 });
        // MLContext.CancelExecution is internal in ML.NET 5 (AutoML calls it at its time budget).
        typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!.Invoke(ml, null);
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(data));
    }

    /// <summary>A data view whose every second cursor yields the rows in reverse order.</summary>
    private sealed class AlternatingOrderView(float[][] rows) : IDataView
    {
        private int _cursors;
        private readonly DataViewSchema _schema = BuildSchema(rows[0].Length);

        private static DataViewSchema BuildSchema(int width)
        {
            var builder = new DataViewSchema.Builder();
            builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, width));
            return builder.ToSchema();
        }

        public bool CanShuffle => false;
        public DataViewSchema Schema => _schema;
        public long? GetRowCount() => rows.Length;
        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
            => new Cursor(this, Interlocked.Increment(ref _cursors) % 2 == 0);
        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => [GetRowCursor(columnsNeeded, rand)];

        private sealed class Cursor(AlternatingOrderView view, bool reversed) : DataViewRowCursor
        {
            private long _position = -1;
            public override DataViewSchema Schema => view._schema;
            public override long Position => _position;
            public override long Batch => 0;
            public override bool MoveNext() => ++_position < view.Rows.Length;
            public override bool IsColumnActive(DataViewSchema.Column column) => true;
            public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);
            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
                {
                    float[] row = view.Rows[reversed ? view.Rows.Length - 1 - _position : _position];
                    value = new VBuffer<float>(row.Length, (float[])row.Clone());
                };
                return (ValueGetter<TValue>)(Delegate)getter;
            }
        }

        private float[][] Rows => rows;
    }

    private sealed class Row
    {
        [VectorType(5)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class WeightedRow
    {
        [VectorType(5)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
        public float W { get; set; }
    }

    private sealed class IntLabelRow
    {
        [VectorType(5)] public float[] Features { get; set; } = [];
        public int Class { get; set; }
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
    }

    private sealed class IntPrediction
    {
        public int PredictedClass { get; set; }
    }
}
