// Multiclass: three iris species from four flower measurements (Fisher's Iris data, UCI; Data/iris.csv). The text label
// becomes a key (MapValueToKey) for training, and the predicted key becomes the species name again (MapKeyToValue); the
// Score column holds one probability per class, its slot names the class names.
using Microsoft.ML;
using Microsoft.ML.Data;

var mlContext = new MLContext(seed: 1);
string path = Path.Combine(AppContext.BaseDirectory, "Data", "iris.csv");
IDataView data = mlContext.Data.LoadFromTextFile<Flower>(path, separatorChar: ',', hasHeader: true);
var split = mlContext.Data.TrainTestSplit(data, testFraction: 0.25, seed: 1);

var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label", nameof(Flower.Species))
    .Append(mlContext.Transforms.Concatenate("Features",
        nameof(Flower.SepalLength), nameof(Flower.SepalWidth), nameof(Flower.PetalLength), nameof(Flower.PetalWidth)))
    .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
    .Append(mlContext.MulticlassClassification.Trainers.FeedForward(labelColumnName: "Label", featureColumnName: "Features"))
    .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedSpecies", "PredictedLabel"));

Console.WriteLine("Training a FeedForward classifier on iris.csv (75% train, 25% test)...");
var model = pipeline.Fit(split.TrainSet);
IDataView scored = model.Transform(split.TestSet);
MulticlassClassificationMetrics metrics = mlContext.MulticlassClassification.Evaluate(scored, labelColumnName: "Label");
Console.WriteLine($"Test accuracy: {metrics.MicroAccuracy:F4} (macro {metrics.MacroAccuracy:F4})  log-loss: {metrics.LogLoss:F4}");
Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());

// The class names, in the order of the Score column's probabilities.
VBuffer<ReadOnlyMemory<char>> slotNames = default;
scored.Schema["Score"].GetSlotNames(ref slotNames);
string[] classes = slotNames.DenseValues().Select(name => name.ToString()).ToArray();

var engine = mlContext.Model.CreatePredictionEngine<Flower, SpeciesPrediction>(model);
Console.WriteLine($"{"flower (cm)",-22} {"species",-11} {"predicted",-11} {string.Join(" ", classes.Select(c => $"{"P(" + c + ")",15}"))}");
// Two test flowers of each species.
foreach (Flower flower in mlContext.Data.CreateEnumerable<Flower>(split.TestSet, reuseRowObject: false).GroupBy(f => f.Species).SelectMany(g => g.Take(2)))
{
    SpeciesPrediction prediction = engine.Predict(flower);
    string measurements = $"{flower.SepalLength} {flower.SepalWidth} {flower.PetalLength} {flower.PetalWidth}";
    Console.WriteLine($"{measurements,-22} {flower.Species,-11} {prediction.PredictedSpecies,-11} {string.Join(" ", prediction.Score.Select(p => $"{p,15:F4}"))}");
}

internal sealed class Flower
{
    [LoadColumn(0)]
    public float SepalLength { get; set; }

    [LoadColumn(1)]
    public float SepalWidth { get; set; }

    [LoadColumn(2)]
    public float PetalLength { get; set; }

    [LoadColumn(3)]
    public float PetalWidth { get; set; }

    [LoadColumn(4)]
    public string Species { get; set; } = "";
}

internal sealed class SpeciesPrediction
{
    public string PredictedSpecies { get; set; } = "";

    public float[] Score { get; set; } = [];
}
