using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Persistence;

/// <summary>mlContext.Model.Save/Load of pipelines mixing ML.NET's transformers and NeuralML's, for the three tasks.</summary>
public class PersistenceTests
{
    private static float[][] Scores(IDataView scored, string column = "Score") => FloatColumns.Read(scored, column).ToArray();

    /// <summary>Saves, loads in a second MLContext, and checks the loaded pipeline predicts the same bits.</summary>
    private static ITransformer RoundTrip(ITransformer model, IDataView data)
    {
        using var file = new TempFile(".zip");
        string path = file.Path;
        new MLContext().Model.Save(model, data.Schema, path);
        var second = new MLContext();
        second.ComponentCatalog.RegisterNeuralML();
        ITransformer loaded = second.Model.Load(path, out DataViewSchema schema);
        Assert.Equal(data.Schema.Select(c => c.Name), schema.Select(c => c.Name));
        float[][] before = Scores(model.Transform(data)), after = Scores(loaded.Transform(data));
        Assert.Equal(before.Length, after.Length);
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i]);
        return loaded;
    }

    [Fact]
    public void Binary_pipeline_round_trips_bit_for_bit()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = RealData.BreastCancer(ml);
        var model = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.BinaryClassification.Trainers.FeedForward(new FeedForwardBinaryTrainer.Options { HiddenLayers = [8], Epochs = 5, Seed = 1 })).Fit(data);
        ITransformer loaded = RoundTrip(model, data);
        float[][] probability = Scores(loaded.Transform(data), "Probability");
        Assert.Equal(Scores(model.Transform(data), "Probability"), probability);
    }

    [Fact]
    public void Multiclass_pipeline_with_key_mappings_round_trips_bit_for_bit()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = RealData.Iris(ml);
        var model = ml.Transforms.Conversion.MapValueToKey("Label", "Species")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.FeedForward(new FeedForwardMulticlassTrainer.Options { HiddenLayers = [8], Epochs = 20, Seed = 1 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedSpecies", "PredictedLabel")).Fit(data);
        ITransformer loaded = RoundTrip(model, data);
        var expected = ml.Data.CreateEnumerable<SpeciesPrediction>(model.Transform(data), reuseRowObject: false).Select(p => p.PredictedSpecies);
        var actual = ml.Data.CreateEnumerable<SpeciesPrediction>(loaded.Transform(data), reuseRowObject: false).Select(p => p.PredictedSpecies);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Regression_pipeline_round_trips_and_loads_in_a_new_process()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = RealData.Diabetes(ml);
        var model = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { HiddenLayers = [16], Epochs = 5, Seed = 1 })).Fit(data);
        RoundTrip(model, data);

        using var file = new TempFile(".zip");
        string path = file.Path;
        ml.Model.Save(model, data.Schema, path);
        string[] lines = RunLoadCheck(path, Path.Combine(AppContext.BaseDirectory, "Data", "diabetes.csv"), 0, 9, "Score");
        float[][] expected = Scores(model.Transform(data));
        Assert.Equal(expected.Length, lines.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i][0], BitConverter.Int32BitsToSingle(int.Parse(lines[i], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void A_context_that_has_not_registered_NeuralML_cannot_find_the_loader()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = RealData.Diabetes(ml);
        var model = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { HiddenLayers = [4], Epochs = 1 }).Fit(data);
        using var file = new TempFile(".zip");
        string path = file.Path;
        ml.Model.Save(model, data.Schema, path);
        // ML.NET cannot find the loader of a third-party transformer by itself (dotnet/machinelearning#4911).
        var ex = Assert.Throws<FormatException>(() => new MLContext().Model.Load(path, out _));
        Assert.Contains("Couldn't load model", ex.Message);
        var registered = new MLContext();
        registered.ComponentCatalog.RegisterNeuralML();
        registered.ComponentCatalog.RegisterNeuralML(); // idempotent
        Assert.IsType<FeedForwardPredictionTransformer>(registered.Model.Load(path, out _));
    }

    /// <summary>
    /// A damaged model file, end to end through mlContext.Model.Load: NeuralML's <see cref="InvalidDataException"/>,
    /// saying what is wrong, at the top when the file holds the FeedForward transformer alone; in a pipeline, directly
    /// inside ML.NET's error (ML.NET invokes its chain's loader by reflection, which wraps what the chain throws, as it
    /// does for its own transformers' errors).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_damaged_model_file_fails_to_load_with_an_InvalidDataException(bool pipeline)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = RealData.Diabetes(ml);
        var trainer = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { HiddenLayers = [4], Epochs = 1 });
        ITransformer model = pipeline ? ml.Transforms.NormalizeMeanVariance("Features").Append(trainer).Fit(data) : trainer.Fit(data);
        using var file = new TempFile(".zip");
        ml.Model.Save(model, data.Schema, file.Path);
        // Flip one byte of NeuralML's payload, a few bytes past its "NeuralML" magic (ML.NET's header before it names the
        // loader, "NeuralMLFeedForward": not that one).
        static int Magic(byte[] bytes)
        {
            for (int at = bytes.AsSpan().IndexOf("NeuralML"u8); at >= 0; at = bytes.AsSpan(at + 1).IndexOf("NeuralML"u8) is int next and >= 0 ? at + 1 + next : -1)
                if (!bytes.AsSpan(at + 8).StartsWith("FeedForward"u8)) return at;
            return -1;
        }
        using (var zip = System.IO.Compression.ZipFile.Open(file.Path, System.IO.Compression.ZipArchiveMode.Update))
        {
            System.IO.Compression.ZipArchiveEntry entry = zip.Entries.Single(e => Magic(Read(e)) >= 0);
            byte[] bytes = Read(entry);
            bytes[Magic(bytes) + 40] ^= 0x5A;
            string name = entry.FullName;
            entry.Delete();
            using Stream rewritten = zip.CreateEntry(name).Open();
            rewritten.Write(bytes);
        }

        var second = new MLContext();
        second.ComponentCatalog.RegisterNeuralML();
        Exception error = Assert.ThrowsAny<Exception>(() => second.Model.Load(file.Path, out _));
        if (pipeline) error = Assert.IsType<System.Reflection.TargetInvocationException>(error).InnerException!;
        Assert.IsType<InvalidDataException>(error);
        Assert.Contains("corrupted", error.Message);

        static byte[] Read(System.IO.Compression.ZipArchiveEntry entry)
        {
            using Stream stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }

    /// <summary>Runs tests/NeuralML.LoadCheck (built beside the tests) as a separate process.</summary>
    private static string[] RunLoadCheck(string model, string data, int firstFeature, int lastFeature, string column)
    {
        // .../tests/NeuralML.Tests/bin/<Configuration>/net10.0/ → .../tests/NeuralML.LoadCheck/bin/<Configuration>/net10.0/
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = testOutput.Parent!.Name, framework = testOutput.Name;
        string tests = testOutput.Parent.Parent!.Parent!.Parent!.FullName;
        string program = Path.Combine(tests, "NeuralML.LoadCheck", "bin", configuration, framework, "NeuralML.LoadCheck.dll");
        Assert.True(File.Exists(program), $"{program} was not built");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { program, model, data, firstFeature.ToString(CultureInfo.InvariantCulture), lastFeature.ToString(CultureInfo.InvariantCulture), column })
            start.ArgumentList.Add(argument);
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"LoadCheck failed: {errors}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    [Fact]
    public void Integer_class_labels_survive_save_and_load()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(2);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 90).Select(i => new IntLabelRow
        {
            Features = [(i % 3) + random.NextSingle() * 0.1f, random.NextSingle(), 0, 0, 0], Class = 10 * (i % 3),
        }).ToList());
        var model = ml.Transforms.Conversion.MapValueToKey("Label", "Class")
            .Append(ml.MulticlassClassification.Trainers.FeedForward(new FeedForwardMulticlassTrainer.Options { HiddenLayers = [4], Epochs = 3, Seed = 1 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel")).Fit(data);
        using var file = new TempFile(".zip");
        string path = file.Path;
        ml.Model.Save(model, data.Schema, path);
        var second = new MLContext();
        second.ComponentCatalog.RegisterNeuralML();
        ITransformer loaded = second.Model.Load(path, out _);
        var before = ml.Data.CreateEnumerable<IntPrediction>(model.Transform(data), reuseRowObject: false).Select(p => p.PredictedClass);
        var after = second.Data.CreateEnumerable<IntPrediction>(loaded.Transform(data), reuseRowObject: false).Select(p => p.PredictedClass);
        Assert.Equal(before, after);
        Assert.Contains(20, after);
    }

    private sealed class SpeciesPrediction
    {
        public string PredictedSpecies { get; set; } = "";
    }

    private sealed class IntLabelRow
    {
        [VectorType(5)] public float[] Features { get; set; } = [];
        public int Class { get; set; }
    }

    private sealed class IntPrediction
    {
        public int PredictedClass { get; set; }
    }
}
