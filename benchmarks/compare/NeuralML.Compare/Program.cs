// Trains 784-256-128-10 (ReLU, Adam lr 1e-3, batch 128) on Fashion-MNIST through an ML.NET pipeline and prints one
// JSON object of measurements (with the bulk API and ONNX Runtime on the exported model at batch 1 and 1,024); benchmarks/compare/run.sh runs it beside the PyTorch script and prints the table.
// Usage: NeuralML.Compare <fashion-mnist dir> <threads> [epochs]
using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using NeuralML;
using NeuralML.Compare;

string directory = args[0];
int threads = int.Parse(args[1]);
int epochs = args.Length > 2 ? int.Parse(args[2]) : 5;

var (trainPixels, trainLabels, trainCount) = FashionMnist.Load(directory, "train");
var (testPixels, testLabels, testCount) = FashionMnist.Load(directory, "t10k");
var ml = new MLContext(seed: 1);
var epochSeconds = new List<double>();
double readSeconds = 0;
ml.Log += (_, e) =>
{
    // "Read 60,000 training rows of 784 features in 0.52 s."
    if (e.Source.StartsWith("FeedForward", StringComparison.Ordinal) && e.RawMessage.StartsWith("Read ", StringComparison.Ordinal))
    {
        string text = e.RawMessage;
        int at = text.LastIndexOf(" in ", StringComparison.Ordinal) + 4;
        readSeconds = double.Parse(text[at..text.LastIndexOf(" s.", StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
    }
    // "Epoch 3/5: loss 0.31 (1.234 s)": the trainer's own per-epoch time, shuffle and batching included.
    if (e.Source.StartsWith("FeedForward", StringComparison.Ordinal) && e.RawMessage.StartsWith("Epoch ", StringComparison.Ordinal))
    {
        string text = e.RawMessage;
        int open = text.LastIndexOf('(');
        epochSeconds.Add(double.Parse(text[(open + 1)..text.IndexOf(" s)", open, StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture));
    }
};

IDataView Rows(float[] pixels, byte[] labels, int count) => ml.Data.LoadFromEnumerable(
    Enumerable.Range(0, count).Select(i => new Image { Pixels = pixels.AsSpan(i * 784, 784).ToArray(), Class = labels[i] }));
IDataView train = Rows(trainPixels, trainLabels, trainCount);
IDataView test = Rows(testPixels, testLabels, testCount);

// The trainer's Fit is timed from a view that is cheap to read (the labels mapped to keys, in an ML.NET cache filled
// beforehand), so that its time is NeuralML's own (reading, checks, statistics, epochs) and not the source's.
var keys = ml.Transforms.Conversion.MapValueToKey("Label", "Class").Fit(train);
IDataView keyed = ml.Data.Cache(keys.Transform(train));
using (DataViewRowCursor fill = keyed.GetRowCursor(keyed.Schema)) while (fill.MoveNext()) { }
var trainer = ml.MulticlassClassification.Trainers.FeedForward(new FeedForwardMulticlassTrainer.Options
{
    FeatureColumnName = "Pixels",
    HiddenLayers = [256, 128],
    Activation = Activation.Relu,
    Optimizer = OptimizerKind.Adam,
    LearningRate = 1e-3f,
    LearningRateSchedule = LearningRateSchedule.Constant, // PyTorch's side keeps its rate too
    BatchSize = 128,
    Epochs = epochs,
    EarlyStoppingRounds = 0,
    Seed = 1,
    NumberOfThreads = threads,
});
var clock = Stopwatch.StartNew();
var trained = trainer.Fit(keyed);
double fitSeconds = clock.Elapsed.TotalSeconds;
var model = keys.Append(trained);
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));

// Batch-1 latency: one PredictionEngine call per test image, median of 2,000 after the warm-up (WarmUp, at the end).
var engine = ml.Model.CreatePredictionEngine<Image, Prediction>(model);
var images = ml.Data.CreateEnumerable<Image>(test, reuseRowObject: false).Take(2000).ToList();
WarmUp(i => engine.Predict(images[i % images.Count]));
var latencies = new List<double>();
foreach (var image in images)
{
    long start = Stopwatch.GetTimestamp();
    engine.Predict(image);
    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
}
latencies.Sort();

// Batch-1024: the trained FeedForward transformer's Transform of 1,024 rows held in an ML.NET cache (filled
// beforehand), every score read through a plain cursor, as ML.NET's Evaluate reads them; median of 20 runs after the warm-up. (The
// pipeline's MapValueToKey step is left out: its cursors cost ML.NET ~1.4 MB and milliseconds each, and scoring does
// not need the label.)
IDataView batch = ml.Data.Cache(ml.Data.TakeRows(test, 1024));
using (DataViewRowCursor fill = batch.GetRowCursor(batch.Schema)) while (fill.MoveNext()) { }
var batchSeconds = new List<double>();
VBuffer<float> scores = default;
float TransformBatch()
{
    float checksum = 0;
    IDataView scored = trained.Transform(batch);
    using (DataViewRowCursor cursor = scored.GetRowCursor([scored.Schema["Score"]]))
    {
        ValueGetter<VBuffer<float>> getScores = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        while (cursor.MoveNext())
        {
            getScores(ref scores);
            checksum += scores.GetValues()[0];
        }
    }
    return checksum;
}
WarmUp(_ => TransformBatch());
for (int run = 0; run < 20; run++)
{
    long start = Stopwatch.GetTimestamp();
    GC.KeepAlive(TransformBatch());
    batchSeconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
}
batchSeconds.Sort();

// The bulk API on arrays (FeedForwardModelParameters.Predict): one row, median of 2,000; 1,024 rows, median of 20.
FeedForwardModelParameters network = model.LastTransformer.Model;
float[] pixels = images.Take(1024).SelectMany(i => i.Pixels).ToArray();
var bulkOutputs = new float[1024 * network.OutputCount];
var oneOutput = new float[network.OutputCount];
WarmUp(i => network.Predict(pixels.AsSpan(i % 1024 * 784, 784), oneOutput));
var bulkLatencies = new List<double>();
for (int i = 0; i < 2000; i++)
{
    long start = Stopwatch.GetTimestamp();
    network.Predict(pixels.AsSpan(i % 1024 * 784, 784), oneOutput);
    bulkLatencies.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
}
bulkLatencies.Sort();
var bulkSeconds = new List<double>();
WarmUp(_ => network.Predict(pixels, bulkOutputs));
for (int run = 0; run < 20; run++)
{
    long start = Stopwatch.GetTimestamp();
    network.Predict(pixels, bulkOutputs);
    bulkSeconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
}
bulkSeconds.Sort();

// ONNX Runtime on the exported model, as a .NET user would otherwise serve it: the same threads, all graph
// optimisations, the OrtValue API over the same arrays; batch 1 (one row copied into a bound buffer outside the timing)
// and batch 1,024, medians as above.
using var onnxStream = new MemoryStream();
ml.Model.ExportToOnnx(model, train, onnxStream);
using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = threads, InterOpNumThreads = 1 };
using var session = new InferenceSession(onnxStream.ToArray(), sessionOptions);
using var runOptions = new RunOptions();
string[] inputNames = ["Pixels"], outputNames = ["Score.output"];
var rowBuffer = new float[784];
using var rowValue = OrtValue.CreateTensorValueFromMemory(rowBuffer, [1, 784]);
using var batchValue = OrtValue.CreateTensorValueFromMemory(pixels, [1024, 784]);
var onnxLatencies = new List<double>();
WarmUp(i =>
{
    pixels.AsSpan(i % 1024 * 784, 784).CopyTo(rowBuffer);
    using var outputs = session.Run(runOptions, inputNames, [rowValue], outputNames);
});
for (int i = 0; i < 2000; i++)
{
    pixels.AsSpan(i % 1024 * 784, 784).CopyTo(rowBuffer);
    long start = Stopwatch.GetTimestamp();
    using (var outputs = session.Run(runOptions, inputNames, [rowValue], outputNames)) { }
    onnxLatencies.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
}
onnxLatencies.Sort();
var onnxSeconds = new List<double>();
WarmUp(_ =>
{
    using var outputs = session.Run(runOptions, inputNames, [batchValue], outputNames);
});
for (int run = 0; run < 20; run++)
{
    long start = Stopwatch.GetTimestamp();
    using (var outputs = session.Run(runOptions, inputNames, [batchValue], outputNames)) { }
    onnxSeconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
}
onnxSeconds.Sort();

var epochTimes = epochSeconds.Order().ToList();
double medianEpoch = epochTimes[epochTimes.Count / 2];
var result = new
{
    framework = "NeuralML",
    threads,
    epochs,
    seconds_per_epoch = medianEpoch,
    samples_per_second = trainCount / medianEpoch,
    fit_seconds = fitSeconds,
    epoch_seconds_sum = epochSeconds.Sum(),
    first_epoch_seconds = epochSeconds[0],
    read_seconds = readSeconds,
    test_accuracy = metrics.MicroAccuracy,
    peak_memory_mb = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0,
    batch1_latency_us = latencies[latencies.Count / 2],
    batch1024_rows_per_second = 1024 / batchSeconds[batchSeconds.Count / 2],
    bulk_batch1_latency_us = bulkLatencies[bulkLatencies.Count / 2],
    bulk_batch1024_rows_per_second = 1024 / bulkSeconds[bulkSeconds.Count / 2],
    onnxruntime_batch1_latency_us = onnxLatencies[onnxLatencies.Count / 2],
    onnxruntime_batch1024_rows_per_second = 1024 / onnxSeconds[onnxSeconds.Count / 2],
};
Console.WriteLine(JsonSerializer.Serialize(result));

// Every timed loop (here and in pytorch_mnist.py) first runs untimed for two seconds (at least twice), so that the
// figures are steady-state ones. Without it, ML.NET's cursors (which the JIT compiles in tiers) still ran their first,
// unoptimised code during 20 runs of 2 ms; after half a second, the JIT's background recompilation of them took a core
// from the timed runs (measured: Transform runs of 2.1-2.2 ms, then many of 8 ms, then 1.7-1.9 ms after two seconds).
static void WarmUp(Action<int> run)
{
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < 2 || clock.Elapsed < TimeSpan.FromSeconds(2); i++) run(i);
}

internal sealed class Image
{
    [VectorType(784)] public float[] Pixels { get; set; } = [];
    public float Class { get; set; }
}

internal sealed class Prediction
{
    public float[] Score { get; set; } = [];
}
