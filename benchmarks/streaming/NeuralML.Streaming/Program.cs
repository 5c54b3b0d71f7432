// Streaming against in-memory training on the same binary .idv file, one mode per process so that each one's peak
// memory is its own. Prints one JSON object.
// Usage: NeuralML.Streaming generate <file.idv> <rows> <features>
//        NeuralML.Streaming train <file.idv> <memory|stream> <budget MB for stream> <epochs>
using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML;

var ml = new MLContext(seed: 1);
string file = args[1];
if (args[0] == "generate")
{
    int rows = int.Parse(args[2]), features = int.Parse(args[3]);
    var schema = SchemaDefinition.Create(typeof(Row));
    schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features);
    IDataView generated = ml.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => Row.Generate(i, features)), schema);
    string temporary = file + ".tmp";
    using (FileStream stream = File.Create(temporary)) ml.Data.SaveAsBinary(generated, stream);
    File.Move(temporary, file, overwrite: true);
    return;
}

string mode = args[2];
int budget = int.Parse(args[3]), epochs = int.Parse(args[4]);
IDataView data = ml.Data.LoadFromBinary(file);
int width = ((VectorDataViewType)data.Schema["Features"].Type).Size;
var epochSeconds = new List<double>();
bool streamed = false;
ml.Log += (_, e) =>
{
    if (!e.Source.StartsWith("FeedForward", StringComparison.Ordinal)) return;
    if (e.RawMessage.StartsWith("Streaming", StringComparison.Ordinal)) streamed = true;
    if (e.RawMessage.StartsWith("Epoch ", StringComparison.Ordinal))
    {
        string text = e.RawMessage;
        int open = text.LastIndexOf('(');
        epochSeconds.Add(double.Parse(text[(open + 1)..text.IndexOf(" s)", open, StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture));
    }
};
var clock = Stopwatch.StartNew();
var model = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options
{
    HiddenLayers = [64, 32],
    Epochs = epochs,
    BatchSize = 256,
    LearningRate = 0.003f,
    Seed = 1,
    MemoryBudgetMegabytes = mode == "stream" ? budget : null,
}).Fit(data);
double fitSeconds = clock.Elapsed.TotalSeconds;
var schemaTest = SchemaDefinition.Create(typeof(Row));
schemaTest[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
IDataView test = ml.Data.LoadFromEnumerable(Enumerable.Range(100_000_000, 20_000).Select(i => Row.Generate(i, width)), schemaTest);
double r2 = ml.Regression.Evaluate(model.Transform(test)).RSquared;
epochSeconds.Sort();
Console.WriteLine(JsonSerializer.Serialize(new
{
    mode,
    streamed,
    rows = data.GetRowCount(),
    features = width,
    data_mb = data.GetRowCount() * (width + 1) * 4 / 1048576.0,
    budget_mb = mode == "stream" ? budget : (int?)null,
    fit_seconds = fitSeconds,
    seconds_per_epoch = epochSeconds[epochSeconds.Count / 2],
    peak_working_set_mb = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0,
    test_r2 = r2,
}));

internal sealed class Row
{
    public float[] Features { get; set; } = [];
    public float Label { get; set; }

    /// <summary>Row <paramref name="i"/>, made from its index alone: features uniform in [−2, 2), a smooth nonlinear label.</summary>
    public static Row Generate(int i, int width)
    {
        var features = new float[width];
        ulong state = (ulong)i * 0x9E3779B97F4A7C15UL + 12345;
        for (int j = 0; j < width; j++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            features[j] = (state >> 40) / (float)(1 << 24) * 4 - 2;
        }
        float label = MathF.Sin(features[0]) + features[1] * features[2] * 0.5f + features[3] - 0.3f * features[4] * features[4];
        return new Row { Features = features, Label = label };
    }
}
