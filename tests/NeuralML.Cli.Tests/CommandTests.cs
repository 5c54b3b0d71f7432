using System.Buffers.Binary;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuralML.Cli.Output;

namespace NeuralML.Cli.Tests;

/// <summary>train, evaluate, predict and info on the repository's data, one model per task.</summary>
public sealed class CommandTests(TrainedModels models) : IClassFixture<TrainedModels>
{
    public static TheoryData<string> Tasks => ["iris", "housing", "cancer"];

    private Trained Model(string name) => name switch { "iris" => models.Iris, "housing" => models.Housing, _ => models.Cancer };

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Train_infers_the_task_prints_test_metrics_and_writes_every_output(string name)
    {
        Trained t = Model(name);
        Assert.True(t.Code == 0, t.Err);
        Assert.Equal("", t.Err);
        string expectedTask = name switch { "iris" => "multiclass classification (3 classes)", "housing" => "regression", _ => "binary classification (positive class 'true')" };
        Assert.Contains(expectedTask, t.Out, StringComparison.Ordinal);
        Assert.Contains(name switch { "iris" => "Accuracy (micro)", "housing" => "R²", _ => "AUC" }, t.Out, StringComparison.Ordinal);
        Assert.Contains("epoch 1/5  training loss", t.Out, StringComparison.Ordinal);
        Assert.Contains("Test metrics", t.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(t.Model) && File.Exists(t.Onnx) && File.Exists(t.Plot));
        Assert.Empty(Directory.GetFiles(models.Folder, "*.tmp"));
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void The_plot_is_a_png_of_the_stated_size(string name)
    {
        byte[] png = File.ReadAllBytes(Model(name).Plot);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(LossPlot.Width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(LossPlot.Height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.True(png.Length > 5_000, "an 800x500 plot with curves is more than a blank image");
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Evaluate_prints_the_metrics_of_the_task(string name)
    {
        Trained t = Model(name);
        (int code, string output, string error) = CliRunner.Run("evaluate", t.Model, t.Data);
        Assert.True(code == 0, error);
        Assert.Contains(name switch { "iris" => "Accuracy (macro)", "housing" => "Root mean squared error", _ => "F1 score" }, output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Info_shows_the_pipeline_the_layers_and_the_history(string name)
    {
        (int code, string output, string error) = CliRunner.Run("info", Model(name).Model);
        Assert.True(code == 0, error);
        foreach (string part in new[] { "NormalizingTransformer", "FeedForwardPredictionTransformer", "dense_0 (Dense)", "(N, 16)", "Total parameters", "Epochs run", "Kept epoch", "Diagnosis" })
            Assert.Contains(part, output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Predict_writes_every_row_with_its_prediction_and_agrees_with_onnx_runtime(string name)
    {
        Trained t = Model(name);
        string predictions = Path.Combine(CliRunner.NewFolder(), "predictions.csv");
        (int code, string output, string error) = CliRunner.Run("predict", t.Model, t.Data, "--out", predictions);
        Assert.True(code == 0, error);
        string[] input = File.ReadAllLines(t.Data), lines = File.ReadAllLines(predictions);
        Assert.Equal(input.Length, lines.Length);
        string[] header = lines[0].Split(',');
        Assert.StartsWith(input[0] + ",", lines[0], StringComparison.Ordinal);
        string column = name switch { "iris" => "Probability(virginica)", "housing" => "Score", _ => "Probability" };
        int index = Array.IndexOf(header, column);
        Assert.True(index >= 0, lines[0]);
        float[] expected = lines[1..].Select(l => float.Parse(l.Split(',')[index], CultureInfo.InvariantCulture)).ToArray();

        // The ONNX file scores the raw columns: one [N, 1] float input per numeric column.
        using var session = new InferenceSession(t.Onnx);
        string[] columns = input[0].Split(',');
        float[][] values = input[1..].Select(l => l.Split(',').Select(f => float.TryParse(f, CultureInfo.InvariantCulture, out float v) ? v : 0f).ToArray()).ToArray();
        var feeds = session.InputMetadata.Keys.Select(key =>
        {
            int c = Array.IndexOf(columns, key);
            Assert.True(c >= 0, $"ONNX input {key} is not a CSV column");
            return NamedOnnxValue.CreateFromTensor(key, new DenseTensor<float>(values.Select(r => r[c]).ToArray(), [values.Length, 1]));
        }).ToArray();
        using var results = session.Run(feeds);
        string outputName = name == "housing" ? "Score.output" : name == "iris" ? "Score.output" : "Probability.output";
        float[] fromOnnx = results.First(r => r.Name == outputName).AsTensor<float>().ToArray();
        if (name == "iris") fromOnnx = fromOnnx.Where((_, i) => i % 3 == 2).ToArray(); // virginica, the last class
        Assert.Equal(expected.Length, fromOnnx.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - fromOnnx[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"row {i + 1}: {expected[i]} vs {fromOnnx[i]}");
    }

    [Fact]
    public void Predict_streams_a_file_larger_than_one_chunk()
    {
        string folder = CliRunner.NewFolder();
        string[] iris = File.ReadAllLines(CliRunner.Data("iris.csv"));
        int rows = Commands.PredictCommand.ChunkRows * 2 + 17;
        string path = CliRunner.WriteCsv(folder, "many.csv", [iris[0], .. Enumerable.Range(0, rows).Select(i => iris[1 + i % (iris.Length - 1)])]);
        string predictions = Path.Combine(folder, "p.csv");
        (int code, _, string error) = CliRunner.Run("predict", models.Iris.Model, path, "--out", predictions);
        Assert.True(code == 0, error);
        string[] lines = File.ReadAllLines(predictions);
        Assert.Equal(rows + 1, lines.Length);
        Assert.Equal(lines[1], lines[1 + 150 * 30]); // the same row scores the same in another chunk
    }
}
