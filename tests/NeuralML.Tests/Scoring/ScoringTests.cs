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
        (float[][] rows, ITransformer model) = SumOfFiveFeatures(ml, rowCount: 600, hidden: 8, seed: 4);

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
    public async Task A_scored_view_feeds_another_models_batches_and_each_row_gets_the_bits_of_scoring_it_alone()
    {
        // The second model's batch reader pulls rows through the first model's cursor, which scores its own batches
        // from inside the second one's (the kernels' pool runs such a nested job on the calling thread). The first
        // model's wide layer makes its batches shorter than the second's (932 rows against 1,024), so that their
        // boundaries fall inside each other.
        var ml = new MLContext(seed: 5);
        var random = new Random(6);
        var rows = Enumerable.Range(0, 2500).Select(_ =>
        {
            var features = Enumerable.Range(0, 10).Select(_ => random.NextSingle()).ToArray();
            return new ChainedRow { Features = features, Class = MathF.Floor(features[0] * 3), Target = features.Sum() };
        }).ToList();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var first = ml.Transforms.Conversion.MapValueToKey("Label", "Class")
            .Append(ml.MulticlassClassification.Trainers.FeedForward(new FeedForwardMulticlassTrainer.Options { HiddenLayers = [1500], Epochs = 1, Seed = 1 }))
            .Fit(data);
        IDataView firstScored = first.Transform(data);
        var second = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options
        {
            FeatureColumnName = "Score", LabelColumnName = "Target", HiddenLayers = [8], Epochs = 2, Seed = 1,
        }).Fit(firstScored);

        // A nested job that took the pool from the outer one would deadlock: fail (TimeoutException) after a generous wait instead.
        await Task.Run(() => CompareRowByRow(second, firstScored, rows.Count)).WaitAsync(TimeSpan.FromMinutes(2));
    }

    private static void CompareRowByRow(FeedForwardPredictionTransformer second, IDataView firstScored, int rowCount)
    {
        IDataView scored = second.Transform(firstScored);
        using DataViewRowCursor both = scored.GetRowCursor([scored.Schema["Score"]]);
        using DataViewRowCursor inputs = firstScored.GetRowCursor([firstScored.Schema["Score"]]);
        ValueGetter<float> getScore = both.GetGetter<float>(scored.Schema["Score"]);
        ValueGetter<VBuffer<float>> getInput = inputs.GetGetter<VBuffer<float>>(firstScored.Schema["Score"]);
        VBuffer<float> input = default;
        float score = 0;
        var alone = new float[1];
        int checkedRows = 0;
        while (both.MoveNext())
        {
            Assert.True(inputs.MoveNext());
            getScore(ref score);
            getInput(ref input);
            second.Model.Predict(input.DenseValues().ToArray(), alone);
            Assert.Equal(BitConverter.SingleToInt32Bits(alone[0]), BitConverter.SingleToInt32Bits(score));
            checkedRows++;
        }
        Assert.Equal(rowCount, checkedRows);
        Assert.True(((ScoringCursor)both).BatchesScored >= 3, $"2,500 rows should be scored in batches, not {((ScoringCursor)both).BatchesScored}");
    }

    [Fact]
    public void A_malformed_row_met_by_the_read_ahead_midway_through_a_batch_leaves_every_row_scored_alone()
    {
        // The read-ahead meets a row one feature short at position 700, while the other threads are already scoring
        // the batch's first chunks: it gives the batch up, and every row is scored on its own, right.
        var ml = new MLContext(seed: 1);
        (float[][] rows, ITransformer model) = SumOfFiveFeatures(ml, rowCount: 1500, hidden: 64, seed: 5);

        var scored = model.Transform(new AlternatingOrderView(rows, reverse: false, shortRow: 700));
        var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model);
        using var cursor = (ScoringCursor)scored.GetRowCursor([scored.Schema["Score"]]);
        var getScore = cursor.GetGetter<float>(scored.Schema["Score"]);
        float actual = 0;
        int checkedRows = 0;
        while (cursor.MoveNext())
        {
            getScore(ref actual);
            Assert.Equal(engine.Predict(new Row { Features = rows[cursor.Position] }).Score, actual);
            checkedRows++;
        }
        Assert.Equal(rows.Length, checkedRows);
        Assert.Equal(0, cursor.BatchesScored);
    }

    /// <summary>Rows of five uniform features and a regression model of their sum (two epochs, one hidden layer).</summary>
    private static (float[][] Rows, ITransformer Model) SumOfFiveFeatures(MLContext ml, int rowCount, int hidden, int seed)
    {
        var random = new Random(seed);
        float[][] rows = [.. Enumerable.Range(0, rowCount).Select(_ => Enumerable.Range(0, 5).Select(_ => random.NextSingle()).ToArray())];
        var training = ml.Data.LoadFromEnumerable(rows.Select(f => new Row { Features = f, Label = f.Sum() }));
        var options = new FeedForwardRegressionTrainer.Options { HiddenLayers = [hidden], Epochs = 2, Seed = 1 };
        return (rows, ml.Regression.Trainers.FeedForward(options).Fit(training));
    }

    /// <summary>
    /// A data view whose every second cursor yields the rows in reverse order (each row keeping its own ID), or with
    /// <paramref name="shortRow"/>'s features one value short.
    /// </summary>
    private sealed class AlternatingOrderView(float[][] rows, bool reverse = true, int shortRow = -1) : IDataView
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

        private bool Reverse => reverse;

        private int ShortRow => shortRow;
        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => [GetRowCursor(columnsNeeded, rand)];

        private sealed class Cursor(AlternatingOrderView view, bool second) : DataViewRowCursor
        {
            private long _position = -1;
            public override DataViewSchema Schema => view._schema;
            public override long Position => _position;
            public override long Batch => 0;
            public override bool MoveNext() => ++_position < view.Rows.Length;
            private long RowIndex => second && view.Reverse ? view.Rows.Length - 1 - _position : _position;
            public override bool IsColumnActive(DataViewSchema.Column column) => true;
            public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)RowIndex, 0);
            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
                {
                    float[] row = view.Rows[RowIndex];
                    if (second && RowIndex == view.ShortRow) row = row[..^1];
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

    private sealed class ChainedRow
    {
        [VectorType(10)] public float[] Features { get; set; } = [];
        public float Class { get; set; }
        public float Target { get; set; }
    }
}
