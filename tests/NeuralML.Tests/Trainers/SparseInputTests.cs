using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuralML.Training;

namespace NeuralML.Tests.Trainers;

/// <summary>
/// Wide sparse features (one-hot, hashing) end to end: kept sparse by the reader, trained on the sparse kernels,
/// scored sparse, and the same model whichever form the rows come in.
/// </summary>
public class SparseInputTests
{
    private const int Width = 3_000, Rows = 400, NonZeros = 8;

    internal sealed class SparseRow
    {
        public VBuffer<float> Features { get; set; }

        public bool Label { get; set; }
    }

    internal sealed class Prediction
    {
        public float Probability { get; set; }

        public float Score { get; set; }
    }

    private static SchemaDefinition Schema()
    {
        SchemaDefinition schema = SchemaDefinition.Create(typeof(SparseRow));
        schema[nameof(SparseRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Width);
        return schema;
    }

    /// <summary>
    /// Rows of <see cref="NonZeros"/> values in [0.5, 2) in the first 300 of <see cref="Width"/> slots (so that each is
    /// seen often enough to learn), labelled by a planted linear rule: +1 for even slots, −1 for odd ones.
    /// </summary>
    internal static List<SparseRow> MakeRows(int seed, int rows = Rows, int nonZeros = NonZeros)
    {
        var random = new Random(seed);
        var list = new List<SparseRow>();
        for (int i = 0; i < rows; i++)
        {
            var indices = new SortedSet<int>();
            while (indices.Count < nonZeros) indices.Add(random.Next(Math.Max(300, nonZeros * 2)));
            int[] index = [.. indices];
            float[] values = [.. index.Select(_ => (float)(0.5 + 1.5 * random.NextDouble()))];
            double score = index.Select((j, k) => values[k] * (j % 2 == 0 ? 1.0 : -1.0)).Sum();
            list.Add(new SparseRow { Features = new VBuffer<float>(Width, index.Length, values, index), Label = score > 0 });
        }
        return list;
    }

    private static IDataView Sparse(MLContext ml, List<SparseRow> rows) => ml.Data.LoadFromEnumerable(rows, Schema());

    /// <summary>The same rows with dense feature vectors.</summary>
    private static IDataView Dense(MLContext ml, List<SparseRow> rows)
    {
        List<SparseRow> dense = [.. rows.Select(r =>
        {
            VBuffer<float> copy = default;
            r.Features.CopyToDense(ref copy);
            return new SparseRow { Features = copy, Label = r.Label };
        })];
        return ml.Data.LoadFromEnumerable(dense, Schema());
    }

    private static FeedForwardBinaryTrainer.Options Options(int? threads = null) => new()
    {
        HiddenLayers = [16, 8], Epochs = 5, Seed = 3, NumberOfThreads = threads,
    };

    [Fact]
    public void The_reader_keeps_wide_sparse_rows_sparse_and_dense_rows_dense()
    {
        var ml = new MLContext(1);
        var task = NeuralML.Columns.TaskColumns.For(PredictionKind.BinaryClassification);
        InMemoryTrainingSet Read(IDataView data)
            => NeuralML.Reading.TrainingDataReader.Read(data, task, NeuralML.Reading.TrainingColumns.Check(data.Schema, task, "Features", "Label", null), 2).Set;
        InMemoryTrainingSet sparse = Read(Sparse(ml, MakeRows(1)));
        Assert.NotNull(sparse.Sparse);
        Assert.Equal(Rows * NonZeros, sparse.Sparse.NonZeros);
        // The rule reads the density, not the form: the same rows given densely are kept sparse too.
        Assert.NotNull(Read(Dense(ml, MakeRows(1))).Sparse);
        // A tenth of the slots set is above the rule's density: dense.
        InMemoryTrainingSet dense = Read(Sparse(ml, MakeRows(1, 50, Width / 10)));
        Assert.Null(dense.Sparse);
        Assert.Equal(50 * Width, dense.OwnedFeatures.Length);
    }

    /// <summary>
    /// One model, its rows given sparse and dense, through Transform and PredictionEngine: the sparse path runs the
    /// sparse kernels, the dense one the GEMM; they agree within 1e-5 (bit for bit on the packed paths).
    /// </summary>
    [Fact]
    public void A_sparse_model_predicts_the_same_for_sparse_and_dense_rows()
    {
        var ml = new MLContext(1);
        List<SparseRow> train = MakeRows(1), test = MakeRows(2);
        FeedForwardBinaryTrainer.Options options = Options();
        options.Epochs = 30;
        ITransformer model = ml.BinaryClassification.Trainers.FeedForward(options).Fit(Sparse(ml, train));
        float[] sparse = Probabilities(ml, model.Transform(Sparse(ml, test)));
        float[] dense = Probabilities(ml, model.Transform(Dense(ml, test)));
        var engine = ml.Model.CreatePredictionEngine<SparseRow, Prediction>(model, inputSchemaDefinition: Schema());
        float[] single = [.. test.Select(r => engine.Predict(r).Probability)];
        for (int i = 0; i < test.Count; i++)
        {
            Assert.True(Math.Abs(sparse[i] - dense[i]) <= 1e-5, $"row {i}: sparse {sparse[i]:R}, dense {dense[i]:R}");
            Assert.Equal(sparse[i], single[i]);
        }
        // It learned the rule.
        Assert.True(ml.BinaryClassification.Evaluate(model.Transform(Sparse(ml, test))).AreaUnderRocCurve > 0.8);
    }

    /// <summary>
    /// Sparse and dense rows in runs of different lengths in one view: each run of one kind is read ahead and batched
    /// apart (a row of the other kind ends a batch and starts the next; dense runs are scored while they are read),
    /// and every row gets the prediction engine's bits for the same row.
    /// </summary>
    [Fact]
    public void Transform_over_runs_of_sparse_and_dense_rows_gives_each_row_the_engines_bits()
    {
        var ml = new MLContext(1);
        ITransformer model = ml.BinaryClassification.Trainers.FeedForward(Options()).Fit(Sparse(ml, MakeRows(1)));
        List<SparseRow> rows = MakeRows(2, rows: 2005);
        var runs = new (int Length, bool Dense)[] { (300, false), (700, true), (100, false), (900, true), (5, false) };
        var mixed = new List<SparseRow>();
        int next = 0;
        foreach ((int length, bool dense) in runs)
        {
            foreach (SparseRow row in rows.Skip(next).Take(length))
            {
                VBuffer<float> features = row.Features;
                if (dense) row.Features.CopyToDense(ref features);
                mixed.Add(new SparseRow { Features = features, Label = row.Label });
            }
            next += length;
        }

        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(mixed, Schema()));
        float[] batched = Probabilities(ml, scored);
        using (var cursor = (NeuralML.Scoring.ScoringCursor)scored.GetRowCursor([scored.Schema["Probability"]]))
        {
            ValueGetter<float> probability = cursor.GetGetter<float>(scored.Schema["Probability"]);
            float value = 0;
            while (cursor.MoveNext()) probability(ref value);
            // 300 sparse, 466 + 234 dense (the batch's rows for 3,000 inputs), 100 sparse, 466 + 434 dense, 5 sparse.
            Assert.Equal(7, cursor.BatchesScored);
        }

        var engine = ml.Model.CreatePredictionEngine<SparseRow, Prediction>(model, inputSchemaDefinition: Schema());
        Assert.Equal(mixed.Count, batched.Length);
        for (int i = 0; i < mixed.Count; i++) Assert.Equal(engine.Predict(mixed[i]).Probability, batched[i]);
    }

    /// <summary>The rows given densely train the very same model: the reader keeps them sparse by their density.</summary>
    [Fact]
    public void The_same_rows_given_densely_train_the_same_model_bit_for_bit()
    {
        var ml = new MLContext(1);
        List<SparseRow> train = MakeRows(1);
        float[] fromSparse = ml.BinaryClassification.Trainers.FeedForward(Options()).Fit(Sparse(ml, train)).Model.GetParameters();
        float[] fromDense = ml.BinaryClassification.Trainers.FeedForward(Options()).Fit(Dense(ml, train)).Model.GetParameters();
        Assert.Equal(fromSparse, fromDense);
    }

    /// <summary>The rule at its edges: 256 slots and 5% of the values are still sparse; 255 slots, or one value more, are not.</summary>
    [Fact]
    public void The_density_rule_holds_at_its_edges()
    {
        Assert.True(SparseInput.IsSparse(rows: 100, columns: 256, nonZeros: 1280)); // exactly 5%
        Assert.False(SparseInput.IsSparse(rows: 100, columns: 256, nonZeros: 1281));
        Assert.False(SparseInput.IsSparse(rows: 100, columns: 255, nonZeros: 1));
        Assert.False(SparseInput.IsSparse(rows: 0, columns: 256, nonZeros: 0));
    }

    private static float[] Probabilities(MLContext ml, IDataView scored) => [.. scored.GetColumn<float>("Probability")];

    [Fact]
    public void Sparse_training_gives_the_same_model_at_one_and_two_threads()
    {
        var ml = new MLContext(1);
        List<SparseRow> train = MakeRows(1);
        float[] Parameters(int threads)
        {
            var options = Options(threads);
            options.Epochs = 3;
            options.L2Regularization = 1e-4f;
            options.DropoutRate = 0.1f;
            return ml.BinaryClassification.Trainers.FeedForward(options).Fit(Sparse(ml, train)).Model.GetParameters();
        }
        Assert.Equal(Parameters(1), Parameters(2));
    }

    [Fact]
    public void A_non_finite_sparse_value_names_the_column_the_row_the_slot_and_the_value()
    {
        var ml = new MLContext(1);
        List<SparseRow> rows = MakeRows(1, 20);
        VBuffer<float> row = rows[7].Features;
        float[] values = row.GetValues().ToArray();
        values[2] = float.NaN;
        int slot = row.GetIndices()[2];
        rows[7].Features = new VBuffer<float>(Width, values.Length, values, row.GetIndices().ToArray());
        var ex = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.FeedForward(Options()).Fit(Sparse(ml, rows)));
        Assert.Contains("'Features'", ex.Message);
        Assert.Contains($"slot {slot} of row 7", ex.Message);
        Assert.Contains("NaN", ex.Message);
    }

    /// <summary>The exported network is dense: ONNX Runtime, given the rows densely, predicts what ML.NET predicts for them sparse.</summary>
    [Fact]
    public void A_sparse_model_exports_to_onnx()
    {
        var ml = new MLContext(1);
        List<SparseRow> test = MakeRows(2, 50);
        IDataView data = Sparse(ml, MakeRows(1));
        ITransformer model = ml.BinaryClassification.Trainers.FeedForward(Options()).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.ExportToOnnx(model, data, stream);
        using var session = new InferenceSession(stream.ToArray());
        var input = new float[test.Count * Width];
        for (int r = 0; r < test.Count; r++) test[r].Features.CopyTo(input.AsSpan(r * Width, Width));
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(input, [test.Count, Width]))]);
        Tensor<float> probability = outputs.First(o => o.Name == "Probability.output").AsTensor<float>();
        float[] expected = Probabilities(ml, model.Transform(Sparse(ml, test)));
        for (int r = 0; r < test.Count; r++)
            Assert.True(Math.Abs(expected[r] - probability[r, 0]) <= 1e-5, $"row {r}: ML.NET {expected[r]:R}, ONNX Runtime {probability[r, 0]:R}");
    }
}
