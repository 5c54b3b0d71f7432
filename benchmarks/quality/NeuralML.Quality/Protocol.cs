using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using nietras.SeparatedValues;

namespace NeuralML.Quality;

/// <summary>One method's result on one split.</summary>
internal sealed record Result(string DataSet, string Method, int Split, double Metric, double Seconds, long TrainingRows = 0);

/// <summary>
/// The protocol: for each split seed, <c>TrainTestSplit(testFraction: 0.3, or 0.2 for regression, seed)</c> with
/// <c>new MLContext(seed: 7)</c>; missing numbers replaced by the training mean, text columns one-hot encoded,
/// <c>NormalizeMeanVariance</c>, then each trainer with its defaults; the metric on the test rows; the fit time of the
/// whole pipeline. The featurised training and test rows are written out for scikit-learn.
/// </summary>
internal sealed class Protocol(string root, int splits, IReadOnlyDictionary<string, string> options, IReadOnlyDictionary<string, string>? baseline, string? sklearnDirectory)
{
    public const string NeuralML = "FeedForward", Baseline = "FeedForward (baseline)", LightGbm = "LightGbm", Reference = "FastTree / LbfgsMaximumEntropy";

    public IEnumerable<Result> Run(DataSet data, IReadOnlyCollection<string> methods)
    {
        Table table = data.Read(root);
        for (int split = 0; split < splits; split++)
        {
            foreach (string method in methods)
            {
                var ml = new MLContext(seed: 7);
                (IDataView train, IDataView test) = Split(ml, data, table, split);
                IEstimator<ITransformer> pipeline = Featurizer(ml, data, table).Append(ml.Transforms.NormalizeMeanVariance("Features")).Append(Trainer(ml, data, method));
                var clock = Stopwatch.StartNew();
                ITransformer model = pipeline.Fit(train);
                double seconds = clock.Elapsed.TotalSeconds;
                yield return new Result(data.Name, method, split, Evaluate(ml, data, model.Transform(test)), seconds, CountRows(train));
            }
            if (sklearnDirectory is not null) WriteForScikitLearn(data, table, split);
        }
    }

    private static long CountRows(IDataView view)
    {
        long rows = 0;
        using DataViewRowCursor cursor = view.GetRowCursor([]);
        while (cursor.MoveNext()) rows++;
        return rows;
    }

    private static (IDataView Train, IDataView Test) Split(MLContext ml, DataSet data, Table table, int split)
    {
        DataOperationsCatalog.TrainTestData parts = ml.Data.TrainTestSplit(Load(ml, table), data.TestFraction, seed: split);
        return (parts.TrainSet, parts.TestSet);
    }

    private sealed class Row
    {
        public float[] Numeric { get; set; } = [];
        public string[] Text { get; set; } = [];
        public string Target { get; set; } = "";
        public bool BinaryTarget { get; set; }
        public float NumericTarget { get; set; }
    }

    private static IDataView Load(MLContext ml, Table table)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        int numericWidth = table.Numeric[0].Length;
        if (numericWidth > 0) schema["Numeric"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, numericWidth);
        else schema.Remove(schema["Numeric"]);
        int textWidth = table.Text[0].Length;
        if (textWidth > 0) schema["Text"].ColumnType = new VectorDataViewType(TextDataViewType.Instance, textWidth);
        else schema.Remove(schema["Text"]);
        string positive = table.Positive;
        var rows = Enumerable.Range(0, table.Rows).Select(i => new Row
        {
            Numeric = table.Numeric[i], Text = table.Text[i], Target = table.Targets[i],
            BinaryTarget = string.Equals(table.Targets[i], positive, StringComparison.OrdinalIgnoreCase),
            NumericTarget = float.TryParse(table.Targets[i], NumberStyles.Float, CultureInfo.InvariantCulture, out float value) ? value : float.NaN,
        }).ToList();
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>Missing numbers → the training mean; text → one-hot (missing and unseen → all zeros); the label as the task needs it.</summary>
    private static IEstimator<ITransformer> Featurizer(MLContext ml, DataSet data, Table table)
    {
        bool numeric = table.Numeric[0].Length > 0, text = table.Text[0].Length > 0;
        IEstimator<ITransformer> features = new EstimatorChain<ITransformer>();
        if (numeric) features = features.Append(ml.Transforms.ReplaceMissingValues("Numeric", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean));
        if (text) features = features.Append(ml.Transforms.Categorical.OneHotEncoding("TextOneHot", "Text"));
        features = features.Append(ml.Transforms.Concatenate("Features", [.. numeric ? ["Numeric"] : Array.Empty<string>(), .. text ? ["TextOneHot"] : Array.Empty<string>()]));
        return data.Task switch
        {
            Task.Binary => features.Append(ml.Transforms.CopyColumns("Label", "BinaryTarget")),
            // The classes come from all rows, so that every split and trainer sees the same K.
            Task.Multiclass => features.Append(ml.Transforms.Conversion.MapValueToKey("Label", "Target", keyData: ml.Data.LoadFromEnumerable(table.Targets.Distinct().Order().Select(t => new TargetOnly { Target = t })))),
            _ => features.Append(ml.Transforms.CopyColumns("Label", "NumericTarget")),
        };
    }

    private sealed class TargetOnly
    {
        public string Target { get; set; } = "";
    }

    private IEstimator<ITransformer> Trainer(MLContext ml, DataSet data, string method)
    {
        switch (method)
        {
            case NeuralML:
            case Baseline:
                IReadOnlyDictionary<string, string> set = method == NeuralML ? options : baseline ?? new Dictionary<string, string>();
                return data.Task switch
                {
                    Task.Binary => ml.BinaryClassification.Trainers.FeedForward(OptionSetter.Apply(new FeedForwardBinaryTrainer.Options(), set)),
                    Task.Multiclass => ml.MulticlassClassification.Trainers.FeedForward(OptionSetter.Apply(new FeedForwardMulticlassTrainer.Options(), set)),
                    _ => ml.Regression.Trainers.FeedForward(OptionSetter.Apply(new FeedForwardRegressionTrainer.Options(), set)),
                };
            case LightGbm:
                return data.Task switch
                {
                    Task.Binary => ml.BinaryClassification.Trainers.LightGbm(),
                    Task.Multiclass => ml.MulticlassClassification.Trainers.LightGbm(),
                    _ => ml.Regression.Trainers.LightGbm(),
                };
            default:
                return data.Task switch
                {
                    Task.Binary => ml.BinaryClassification.Trainers.FastTree(),
                    Task.Multiclass => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(),
                    _ => ml.Regression.Trainers.FastTree(),
                };
        }
    }

    private static double Evaluate(MLContext ml, DataSet data, IDataView scored) => data.Task switch
    {
        Task.Binary => ml.BinaryClassification.Evaluate(scored).AreaUnderRocCurve,
        Task.Multiclass => ml.MulticlassClassification.Evaluate(scored).MicroAccuracy,
        _ => ml.Regression.Evaluate(scored).RSquared,
    };

    /// <summary>Fashion-MNIST's own split (60,000 training and 10,000 test images), pixels in [0, 1]: one run per method.</summary>
    public IEnumerable<Result> RunFashionMnist(string directory, IReadOnlyCollection<string> methods)
    {
        var data = new DataSet("fashion-mnist", directory, Task.Multiclass);
        (float[] trainPixels, byte[] trainLabels, int trainCount) = Compare.FashionMnist.Load(directory, "train");
        (float[] testPixels, byte[] testLabels, int testCount) = Compare.FashionMnist.Load(directory, "t10k");
        foreach (string method in methods)
        {
            var ml = new MLContext(seed: 7);
            IDataView train = Images(ml, trainPixels, trainLabels, trainCount), test = Images(ml, testPixels, testLabels, testCount);
            IEstimator<ITransformer> pipeline = ml.Transforms.NormalizeMeanVariance("Features").Append(Trainer(ml, data, method));
            var clock = Stopwatch.StartNew();
            ITransformer model = pipeline.Fit(train);
            double seconds = clock.Elapsed.TotalSeconds;
            yield return new Result(data.Name, method, 0, Evaluate(ml, data, model.Transform(test)), seconds, trainCount);
        }
    }

    private sealed class Image
    {
        [VectorType(784)]
        public float[] Features { get; set; } = [];

        [KeyType(10)]
        public uint Label { get; set; }
    }

    private static IDataView Images(MLContext ml, float[] pixels, byte[] labels, int count) =>
        ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new Image { Features = pixels.AsSpan(i * 784, 784).ToArray(), Label = labels[i] + 1u }).ToList());

    /// <summary>The split's featurised rows (before normalisation; scikit-learn standardises them itself): label, then features.</summary>
    private void WriteForScikitLearn(DataSet data, Table table, int split)
    {
        var ml = new MLContext(seed: 7);
        (IDataView train, IDataView test) = Split(ml, data, table, split);
        ITransformer featurizer = Featurizer(ml, data, table).Fit(train);
        foreach ((string part, IDataView view) in new[] { ("train", train), ("test", test) })
        {
            IDataView rows = featurizer.Transform(view);
            DataViewSchema.Column features = rows.Schema["Features"], label = rows.Schema["Label"];
            using DataViewRowCursor cursor = rows.GetRowCursor([features, label]);
            ValueGetter<VBuffer<float>> getFeatures = cursor.GetGetter<VBuffer<float>>(features);
            Func<double> getLabel = LabelReader(cursor, label, data.Task);
            using SepWriter writer = Sep.New(',').Writer(o => o with { WriteHeader = false }).ToFile(Path.Combine(sklearnDirectory!, $"{data.Name}-{split}-{part}.csv"));
            VBuffer<float> value = default;
            while (cursor.MoveNext())
            {
                getFeatures(ref value);
                using SepWriter.Row row = writer.NewRow();
                row["label"].Format(getLabel());
                float[] dense = value.DenseValues().ToArray();
                for (int i = 0; i < dense.Length; i++) row[$"f{i}"].Format(dense[i]);
            }
        }
    }

    private static Func<double> LabelReader(DataViewRowCursor cursor, DataViewSchema.Column label, Task task)
    {
        switch (task)
        {
            case Task.Binary:
            {
                ValueGetter<bool> get = cursor.GetGetter<bool>(label);
                bool value = false;
                return () => { get(ref value); return value ? 1 : 0; };
            }
            case Task.Multiclass:
            {
                ValueGetter<uint> get = cursor.GetGetter<uint>(label);
                uint value = 0;
                return () => { get(ref value); return value - 1.0; };
            }
            default:
            {
                ValueGetter<float> get = cursor.GetGetter<float>(label);
                float value = 0;
                return () => { get(ref value); return value; };
            }
        }
    }
}
