using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Tests.Reading;

/// <summary>
/// A view that does not know its row count (read in blocks, joined once) and one that does (read straight into one copy) give the
/// same model, bit for bit, over 20,000 rows with missing labels skipped on the way.
/// </summary>
public class RowCountTests
{
    private sealed class Row
    {
        [VectorType(3)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    /// <summary>The same view, saying how many rows it has.</summary>
    private sealed class KnownCount(IDataView inner, long rows) : IDataView
    {
        public bool CanShuffle => inner.CanShuffle;
        public DataViewSchema Schema => inner.Schema;
        public long? GetRowCount() => rows;
        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => inner.GetRowCursor(columnsNeeded, rand);
        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => inner.GetRowCursorSet(columnsNeeded, n, rand);
    }

    [Fact]
    public void A_view_with_or_without_a_row_count_gives_the_same_model()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(4);
        List<Row> rows = Enumerable.Range(0, 20_000).Select(i =>
        {
            float[] x = [(float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble()];
            return new Row { Features = x, Label = i % 997 == 0 ? float.NaN : x[0] - 2 * x[1] + x[2] * x[0] };
        }).ToList();
        IDataView streamed = ml.Data.LoadFromEnumerable(rows.Select(r => r)); // an enumerable, not a collection
        Assert.Null(streamed.GetRowCount());
        var options = new FeedForwardRegressionTrainer.Options { HiddenLayers = [8], Epochs = 1, Seed = 1, NumberOfThreads = 1 };

        float[] counted = ml.Regression.Trainers.FeedForward(options).Fit(streamed).Model.GetParameters();
        float[] single = ml.Regression.Trainers.FeedForward(options).Fit(new KnownCount(streamed, rows.Count)).Model.GetParameters();

        Assert.Equal(single, counted);
    }
}
