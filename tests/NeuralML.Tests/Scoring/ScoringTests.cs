using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Scoring;

namespace NeuralML.Tests.Scoring;

/// <summary>
/// Transform scores rows in batches read ahead by a second cursor; a row's batch result is used only when the batch
/// scored that very row (same position and row ID), so every way of scoring gives the prediction engine's bits.
/// </summary>
public class ScoringTests
{
    [Fact]
    public void Transform_scores_in_batches_and_matches_the_prediction_engine_bit_for_bit()
    {
        var ml = new MLContext(seed: 3);
        var random = new Random(2);
        var rows = Enumerable.Range(0, 700).Select(_ =>
        {
            var features = Enumerable.Range(0, 10).Select(_ => random.NextSingle()).ToArray();
            return new DiabetesRow { Features = features, Label = features.Sum() };
        }).ToList();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { HiddenLayers = [40, 20], Epochs = 2, Seed = 1 }).Fit(data);

        IDataView transformed = model.Transform(data);
        using (var cursor = (ScoringCursor)transformed.GetRowCursor([transformed.Schema["Score"]]))
        {
            ValueGetter<float> getScore = cursor.GetGetter<float>(transformed.Schema["Score"]);
            float score = 0;
            while (cursor.MoveNext()) getScore(ref score);
            Assert.True(cursor.BatchesScored >= 1, $"700 rows should be scored in a batch, not {cursor.BatchesScored}");
        }
        var scored = ml.Data.CreateEnumerable<RegressionPrediction>(transformed, reuseRowObject: false).ToList();

        var engine = ml.Model.CreatePredictionEngine<DiabetesRow, RegressionPrediction>(model);
        for (int i = 0; i < rows.Count; i++) Assert.Equal(scored[i].Score, engine.Predict(rows[i]).Score);
    }

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

    /// <summary>A data view whose every second cursor yields the rows in reverse order (each row keeping its own ID).</summary>
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
            private long RowIndex => reversed ? view.Rows.Length - 1 - _position : _position;
            public override bool IsColumnActive(DataViewSchema.Column column) => true;
            public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)RowIndex, 0);
            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
                {
                    float[] row = view.Rows[RowIndex];
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

    private sealed class Prediction
    {
        public float Score { get; set; }
    }

    private sealed class DiabetesRow
    {
        [VectorType(10)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class RegressionPrediction
    {
        public float Score { get; set; }
    }
}
