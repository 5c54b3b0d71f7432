using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Kernels;
using NeuralML.Network;

namespace NeuralML.Benchmarks;

/// <summary>
/// Inference with a 784-256-128-10 model: batch 1 and batch 1024, through the network directly and through ML.NET
/// (PredictionEngine for one row, Transform read by a cursor for 1024).
/// </summary>
public class InferenceBenchmarks
{
    private PredictionEngine<Row, Prediction> _engine = null!;
    private ITransformer _model = null!;
    private IDataView _batch = null!;
    private FeedForwardNetwork _network = null!;
    private NetworkWorkspace _workspace1 = null!, _workspace1024 = null!;
    private float[] _features = [];
    private Row _row = new();

    [GlobalSetup]
    public void Setup()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(1);
        var rows = Enumerable.Range(0, 2048).Select(_ => new Row
        {
            Features = Enumerable.Range(0, 784).Select(_ => random.NextSingle()).ToArray(),
            Label = random.Next(10),
        }).ToList();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var trainer = ml.MulticlassClassification.Trainers.FeedForward(new FeedForwardMulticlassTrainer.Options
        {
            HiddenLayers = [256, 128], Epochs = 1, BatchSize = 128, EarlyStoppingRounds = 0, Seed = 1,
        });
        _model = ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer).Fit(data);
        _engine = ml.Model.CreatePredictionEngine<Row, Prediction>(_model);
        _row = rows[0];
        _batch = ml.Data.TakeRows(data, 1024);
        _network = ((TransformerChain<FeedForwardPredictionTransformer>)_model).LastTransformer.Model.Network;
        _workspace1 = new NetworkWorkspace(_network, 1);
        _workspace1024 = new NetworkWorkspace(_network, 1024);
        _features = rows.Take(1024).SelectMany(r => r.Features).ToArray();
    }

    [Benchmark]
    public float NetworkBatch1() => _network.Forward(_features.AsSpan(0, 784), 1, _workspace1, DenseKernels.Default)[0];

    [Benchmark]
    public float NetworkBatch1024() => _network.Forward(_features, 1024, _workspace1024, DenseKernels.Default)[0];

    [Benchmark]
    public float PredictionEngineBatch1() => _engine.Predict(_row).Score[0];

    [Benchmark]
    public float TransformBatch1024()
    {
        IDataView scored = _model.Transform(_batch);
        DataViewSchema.Column score = scored.Schema["Score"];
        using DataViewRowCursor cursor = scored.GetRowCursor([score]);
        ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(score);
        VBuffer<float> value = default;
        float sum = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            sum += value.GetValues()[0];
        }
        return sum;
    }

    public sealed class Row
    {
        [VectorType(784)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    public sealed class Prediction
    {
        public float[] Score { get; set; } = [];
    }
}
