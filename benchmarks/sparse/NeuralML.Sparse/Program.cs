// Wide sparse input end to end (issue 11): a binary classifier with default options on rows of <width> slots with
// <nnz> ones each (one-hot / hashing style), labels from a planted linear rule. Prints Fit's time and the process's
// peak working set (VmHWM), then Transform + Evaluate per row and PredictionEngine per row, and the test AUC.
// Usage: dotnet run -c Release --project benchmarks/sparse/NeuralML.Sparse -- [rows] [width] [nnz] [threads]
// With --crossover [rows] [width] [outputs] [threads]: the kernels' sparse/dense crossover density (Crossover.cs).
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML;

if (args.Length > 0 && args[0] == "--crossover")
{
    int[] a = [.. args.Skip(1).Select(int.Parse)];
    NeuralML.Sparse.Crossover.Run(a.Length > 0 ? a[0] : 32, a.Length > 1 ? a[1] : 2_000, a.Length > 2 ? a[2] : 128, a.Length > 3 ? a[3] : Environment.ProcessorCount);
    return;
}

int rows = args.Length > 0 ? int.Parse(args[0]) : 2_000;
int width = args.Length > 1 ? int.Parse(args[1]) : 100_000;
int nnz = args.Length > 2 ? int.Parse(args[2]) : 10;
int? threads = args.Length > 3 ? int.Parse(args[3]) : null;

var random = new Random(17);
var rule = new float[width];
for (int j = 0; j < width; j++) rule[j] = (float)(random.NextDouble() * 2 - 1);

List<SparseRow> Make(int count)
{
    var list = new List<SparseRow>(count);
    for (int i = 0; i < count; i++)
    {
        var indices = new SortedSet<int>();
        while (indices.Count < nnz) indices.Add(random.Next(width));
        int[] index = indices.ToArray();
        var values = Enumerable.Repeat(1f, nnz).ToArray();
        float score = index.Sum(j => rule[j]);
        list.Add(new SparseRow { Features = new VBuffer<float>(width, nnz, values, index), Label = score > 0 });
    }
    return list;
}

var ml = new MLContext(seed: 1);
var schema = SchemaDefinition.Create(typeof(SparseRow));
schema[nameof(SparseRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
IDataView train = ml.Data.LoadFromEnumerable(Make(rows), schema);
IDataView test = ml.Data.LoadFromEnumerable(Make(rows), schema);
GC.Collect();
long before = PeakKilobytes();

var options = new FeedForwardBinaryTrainer.Options();
if (threads is int t) options.NumberOfThreads = t;
var watch = Stopwatch.StartNew();
var model = ml.BinaryClassification.Trainers.FeedForward(options).Fit(train);
double fitSeconds = watch.Elapsed.TotalSeconds;
long peak = PeakKilobytes();

watch.Restart();
var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
double transformMs = watch.Elapsed.TotalMilliseconds / rows;

var engine = ml.Model.CreatePredictionEngine<SparseRow, Prediction>(model, inputSchemaDefinition: schema);
var testRows = Make(rows);
engine.Predict(testRows[0]);
watch.Restart();
foreach (SparseRow row in testRows) engine.Predict(row);
double engineMs = watch.Elapsed.TotalMilliseconds / rows;

Console.WriteLine($"rows {rows}, width {width}, non-zeros per row {nnz}, threads {threads?.ToString() ?? "all"} ({Environment.ProcessorCount} cores)");
Console.WriteLine($"Fit: {fitSeconds:F2} s; peak working set {peak / 1024.0:F0} MB (before Fit {before / 1024.0:F0} MB)");
Console.WriteLine($"Transform + Evaluate: {transformMs:F4} ms per row; PredictionEngine: {engineMs:F4} ms per row");
Console.WriteLine($"Test AUC {metrics.AreaUnderRocCurve:F4}, accuracy {metrics.Accuracy:F4}");

static long PeakKilobytes()
{
    foreach (string line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    return -1;
}

internal sealed class SparseRow
{
    public VBuffer<float> Features { get; set; }

    public bool Label { get; set; }
}

internal sealed class Prediction
{
    public bool PredictedLabel { get; set; }

    public float Probability { get; set; }
}
