// Categorical: real data with categories and missing values, from raw columns to an ONNX model scored by ONNX Runtime.
// Los Angeles ozone, 1976 (mlbench's Ozone, Data/ozone.csv): the month and day of week are categories, nine weather
// measurements have gaps. One-hot encoding, mean imputation, concatenation, normalisation and a FeedForward regressor;
// evaluated, saved, loaded, exported to ONNX and scored there from the raw string and float columns.
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Transforms;

var mlContext = new MLContext(seed: 1);
string path = Path.Combine(AppContext.BaseDirectory, "Data", "ozone.csv");
IDataView data = mlContext.Data.CreateTextLoader(new TextLoader.Options
{
    Columns =
    [
        new TextLoader.Column("Month", DataKind.String, 0),
        new TextLoader.Column("DayOfWeek", DataKind.String, 1),
        new TextLoader.Column("Weather", DataKind.Single, 2, 10),
        new TextLoader.Column("Ozone", DataKind.Single, 11),
    ],
    HasHeader = true,
    Separators = [','],
    MissingRealsAsNaNs = true, // an empty field is a missing value, not 0
}).Load(path);
var split = mlContext.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);

var pipeline = mlContext.Transforms.Categorical.OneHotEncoding([new("MonthOneHot", "Month"), new("DayOfWeekOneHot", "DayOfWeek")])
    .Append(mlContext.Transforms.ReplaceMissingValues("Weather", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean))
    .Append(mlContext.Transforms.Concatenate("Features", "MonthOneHot", "DayOfWeekOneHot", "Weather"))
    .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
    .Append(mlContext.Regression.Trainers.FeedForward(labelColumnName: "Ozone"));

Console.WriteLine("Training a FeedForward regressor on ozone.csv (80% train, 20% test)...");
ITransformer model = pipeline.Fit(split.TrainSet);
RegressionMetrics metrics = mlContext.Regression.Evaluate(model.Transform(split.TestSet), labelColumnName: "Ozone");
Console.WriteLine($"Test R²: {metrics.RSquared:F3}  MAE: {metrics.MeanAbsoluteError:F2}  RMSE: {metrics.RootMeanSquaredError:F2}");

// Save the whole pipeline and load it in a fresh MLContext.
string directory = Path.Combine(Path.GetTempPath(), "neuralml-categorical");
Directory.CreateDirectory(directory);
string modelPath = Path.Combine(directory, "model.zip"), onnxPath = Path.Combine(directory, "model.onnx");
mlContext.Model.Save(model, split.TrainSet.Schema, modelPath);
var freshContext = new MLContext();
freshContext.ComponentCatalog.RegisterNeuralML();
ITransformer loaded = freshContext.Model.Load(modelPath, out _);
float[] expected = model.Transform(split.TestSet).GetColumn<float>("Score").ToArray();
float[] reloaded = loaded.Transform(split.TestSet).GetColumn<float>("Score").ToArray();
Console.WriteLine($"Saved to {modelPath} and loaded back: same predictions: {expected.SequenceEqual(reloaded)}");

// Export: ML.NET's converter writes the one-hot encoding and imputation, NeuralML grafts its network onto them.
using (var stream = File.Create(onnxPath)) mlContext.Model.ExportToOnnx(model, split.TrainSet, stream);
using var session = new InferenceSession(onnxPath);
Console.WriteLine($"Exported to ONNX: {onnxPath} ({new FileInfo(onnxPath).Length:N0} bytes; inputs {string.Join(", ", session.InputMetadata.Keys)})");

// Score the test rows in ONNX Runtime from their raw columns: strings for the categories, floats with NaN for the gaps.
var rows = mlContext.Data.CreateEnumerable<Day>(split.TestSet, reuseRowObject: false).ToList();
int n = rows.Count;
using var results = session.Run(
[
    NamedOnnxValue.CreateFromTensor("Month", new DenseTensor<string>(rows.Select(r => r.Month).ToArray(), [n, 1])),
    NamedOnnxValue.CreateFromTensor("DayOfWeek", new DenseTensor<string>(rows.Select(r => r.DayOfWeek).ToArray(), [n, 1])),
    NamedOnnxValue.CreateFromTensor("Weather", new DenseTensor<float>(rows.SelectMany(r => r.Weather).ToArray(), [n, 9])),
]);
float[] fromOnnx = results.First(r => r.Name == "Score.output").AsTensor<float>().ToArray();
double largest = expected.Zip(fromOnnx, (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(a))).Max();
int missing = rows.Count(r => r.Weather.Any(float.IsNaN));
Console.WriteLine($"ONNX Runtime scored {n} test days ({missing} with missing measurements); largest relative difference from ML.NET: {largest:E1}");
Console.WriteLine($"First test day: month {rows[0].Month}, day of week {rows[0].DayOfWeek}, ozone {rows[0].Ozone}; predicted {expected[0]:F2} (ML.NET), {fromOnnx[0]:F2} (ONNX Runtime)");
if (largest > 1e-5) throw new InvalidOperationException("ONNX Runtime and ML.NET disagree.");

internal sealed class Day
{
    public string Month { get; set; } = "";

    public string DayOfWeek { get; set; } = "";

    [VectorType(9)]
    public float[] Weather { get; set; } = [];

    public float Ozone { get; set; }
}
