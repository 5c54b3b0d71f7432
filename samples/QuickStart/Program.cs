// QuickStart: a FeedForward neural network in an ML.NET pipeline, on the Wisconsin Diagnostic Breast Cancer data
// (UCI; 569 tumours, 30 numeric measurements, label "malignant"), shipped in Data/breast_cancer.csv.
using Microsoft.ML;
using Microsoft.ML.Data;

var mlContext = new MLContext(seed: 1);
// Training progress arrives through MLContext.Log; show the summary lines and every 25th epoch.
mlContext.Log += (_, e) =>
{
    if (!e.Source.StartsWith("FeedForward", StringComparison.Ordinal) || e.RawMessage.StartsWith("Channel", StringComparison.Ordinal)) return;
    bool epochLine = e.RawMessage.StartsWith("Epoch ", StringComparison.Ordinal);
    if (!epochLine || int.Parse(e.RawMessage[6..e.RawMessage.IndexOf('/')]) % 25 == 0) Console.WriteLine($"  [log] {e.RawMessage}");
};

string path = Path.Combine(AppContext.BaseDirectory, "Data", "breast_cancer.csv");
IDataView data = mlContext.Data.LoadFromTextFile(path,
[
    new TextLoader.Column("Features", DataKind.Single, 0, 29),
    new TextLoader.Column("Label", DataKind.Boolean, 30),
], separatorChar: ',', hasHeader: true);
var split = mlContext.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);

var pipeline = mlContext.Transforms.NormalizeMeanVariance("Features")
    .Append(mlContext.BinaryClassification.Trainers.FeedForward(labelColumnName: "Label", featureColumnName: "Features"));

Console.WriteLine("Training a FeedForward network on breast_cancer.csv (80% train, 20% test)...");
var model = pipeline.Fit(split.TrainSet);
Console.WriteLine($"  network: {model.LastTransformer.Model}");

var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(split.TestSet));
Console.WriteLine($"Test accuracy: {metrics.Accuracy:F4}  AUC: {metrics.AreaUnderRocCurve:F4}  F1: {metrics.F1Score:F4}  log-loss: {metrics.LogLoss:F4}");

var engine = mlContext.Model.CreatePredictionEngine<Tumour, Prediction>(model);
var example = mlContext.Data.CreateEnumerable<Tumour>(split.TestSet, reuseRowObject: false).First();
var prediction = engine.Predict(example);
Console.WriteLine($"First test tumour: malignant = {example.Label}; predicted {prediction.PredictedLabel} with probability {prediction.Probability:F4}");

// Save the whole pipeline, load it in a fresh MLContext, and export it to ONNX.
string directory = Path.Combine(Path.GetTempPath(), "neuralml-quickstart");
Directory.CreateDirectory(directory);
string modelPath = Path.Combine(directory, "model.zip"), onnxPath = Path.Combine(directory, "model.onnx");
mlContext.Model.Save(model, split.TrainSet.Schema, modelPath);
var freshContext = new MLContext();
freshContext.ComponentCatalog.RegisterNeuralML();
ITransformer loaded = freshContext.Model.Load(modelPath, out _);
var reloaded = freshContext.Model.CreatePredictionEngine<Tumour, Prediction>(loaded).Predict(example);
Console.WriteLine($"Saved to {modelPath} and loaded back: probability {reloaded.Probability:F4} (same as before: {reloaded.Probability == prediction.Probability})");
using (var stream = File.Create(onnxPath)) mlContext.Model.ExportToOnnx(model, split.TrainSet, stream);
Console.WriteLine($"Exported to ONNX: {onnxPath} ({new FileInfo(onnxPath).Length:N0} bytes; inputs 'Features', outputs 'Score.output', 'Probability.output', 'PredictedLabel.output')");

internal sealed class Tumour
{
    [VectorType(30)]
    public float[] Features { get; set; } = [];

    public bool Label { get; set; }
}

internal sealed class Prediction
{
    public bool PredictedLabel { get; set; }

    public float Probability { get; set; }

    public float Score { get; set; }
}
