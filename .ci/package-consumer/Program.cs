// What a user of the NeuralML package does first, built against the package just packed (not the projects): train on
// the breast-cancer data (the QuickStart's), evaluate, save, load in a fresh MLContext, export to ONNX. Before that,
// it checks what the .nupkg and .snupkg hold. Arguments: the data file, the version just packed, the folder it was
// packed into. Exits non-zero on any failure.
using System.IO.Compression;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML;

string dataPath = args[0], expectedVersion = args[1], feed = args[2];

// The package: the two assemblies with their XML documentation, the README, the metadata; the symbols beside it.
using (ZipArchive package = ZipFile.OpenRead(Path.Combine(feed, $"NeuralML.{expectedVersion}.nupkg")))
{
    string[] entries = package.Entries.Select(e => e.FullName).ToArray();
    foreach (string file in new[] { "README.md", "lib/net10.0/NeuralML.dll", "lib/net10.0/NeuralML.xml", "lib/net10.0/NeuralML.Core.dll", "lib/net10.0/NeuralML.Core.xml" })
        Check(entries.Contains(file), $"the package lacks {file}");
    Check(!entries.Any(e => e.EndsWith(".pdb", StringComparison.Ordinal)), "the package holds a PDB (symbols belong in the .snupkg)");
    using var reader = new StreamReader(package.GetEntry("NeuralML.nuspec")!.Open());
    string nuspec = reader.ReadToEnd();
    foreach (string element in new[] { "<id>NeuralML</id>", $"<version>{expectedVersion}</version>", "<license type=\"expression\">", "<readme>README.md</readme>", "<description>", "<tags>", "<dependency id=\"Microsoft.ML\"", "<dependency id=\"System.Numerics.Tensors\"" })
        Check(nuspec.Contains(element, StringComparison.Ordinal), $"the nuspec lacks {element}");
    Check(!nuspec.Contains("NeuralML.Core", StringComparison.Ordinal), "the nuspec depends on NeuralML.Core, which travels inside the package");
}
using (ZipArchive symbols = ZipFile.OpenRead(Path.Combine(feed, $"NeuralML.{expectedVersion}.snupkg")))
{
    foreach (string file in new[] { "lib/net10.0/NeuralML.pdb", "lib/net10.0/NeuralML.Core.pdb" })
        Check(symbols.GetEntry(file) is not null, $"the symbols package lacks {file}");
}
Console.WriteLine($"NeuralML.{expectedVersion}.nupkg and .snupkg hold the assemblies, documentation, README and symbols");

string? version = typeof(FeedForwardModelParameters).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
Console.WriteLine($"NeuralML {version} from {typeof(FeedForwardModelParameters).Assembly.Location}");
Check(version is not null && (version == expectedVersion || version.StartsWith(expectedVersion + "+", StringComparison.Ordinal)),
    $"the loaded NeuralML is {version}, not the package just packed ({expectedVersion})");

var mlContext = new MLContext(seed: 1);
IDataView data = mlContext.Data.LoadFromTextFile(dataPath,
[
    new TextLoader.Column("Features", DataKind.Single, 0, 29),
    new TextLoader.Column("Label", DataKind.Boolean, 30),
], separatorChar: ',', hasHeader: true);
var split = mlContext.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);
var pipeline = mlContext.Transforms.NormalizeMeanVariance("Features")
    .Append(mlContext.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [16], Epochs = 30 }));
var model = pipeline.Fit(split.TrainSet);
var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(split.TestSet));
Console.WriteLine($"Trained {model.LastTransformer.Model}; test AUC {metrics.AreaUnderRocCurve:F4}");
Check(metrics.AreaUnderRocCurve > 0.95, $"test AUC {metrics.AreaUnderRocCurve} is below 0.95");

string directory = Directory.CreateTempSubdirectory("neuralml-package-check").FullName;
try
{
    string modelPath = Path.Combine(directory, "model.zip"), onnxPath = Path.Combine(directory, "model.onnx");
    mlContext.Model.Save(model, split.TrainSet.Schema, modelPath);
    var freshContext = new MLContext();
    freshContext.ComponentCatalog.RegisterNeuralML();
    ITransformer loaded = freshContext.Model.Load(modelPath, out _);
    float[] before = model.Transform(split.TestSet).GetColumn<float>("Probability").ToArray();
    float[] after = loaded.Transform(split.TestSet).GetColumn<float>("Probability").ToArray();
    Check(before.SequenceEqual(after), "the reloaded model's probabilities differ from the trained model's");
    Console.WriteLine($"Saved and loaded back in a fresh MLContext: the same {after.Length} probabilities");

    using (var stream = File.Create(onnxPath)) mlContext.Model.ExportToOnnx(model, split.TrainSet, stream);
    long length = new FileInfo(onnxPath).Length;
    Check(length > 1000, $"the ONNX file has {length} bytes");
    Console.WriteLine($"Exported to ONNX: {length:N0} bytes");
}
finally
{
    Directory.Delete(directory, recursive: true);
}
Console.WriteLine("The package works.");

static void Check(bool condition, string failure)
{
    if (!condition) throw new InvalidOperationException("Package check failed: " + failure);
}
