using NeuralML.Cli.Data;

namespace NeuralML.Cli.Tests;

/// <summary>The column kinds and the <c>--task auto</c> rule, and a run on categories, Booleans and missing values.</summary>
public sealed class InferenceTests
{
    private static DataSchema Infer(string label, params string[] lines)
    {
        string[] header = lines[0].Split(',');
        CsvRow[] rows = lines[1..].Select((l, i) => new CsvRow(i + 2, l.Split(','))).ToArray();
        return SchemaInference.Infer("t.csv", header, rows, label, task: null);
    }

    [Theory]
    [InlineData(TaskKind.Binary, "true", "false", "true")]
    [InlineData(TaskKind.Binary, "yes", "no", "no")]
    [InlineData(TaskKind.Binary, "0", "1", "1")]
    [InlineData(TaskKind.Multiclass, "a", "b", "c")]
    [InlineData(TaskKind.Multiclass, "1", "2", "3")]
    [InlineData(TaskKind.Regression, "1.5", "2", "3")]
    public void Auto_task_follows_the_stated_rule(TaskKind expected, string a, string b, string c)
    {
        Assert.Equal(expected, Infer("y", "x,y", $"1,{a}", $"2,{b}", $"3,{c}", "4,").Task);
    }

    [Fact]
    public void Many_distinct_integers_are_regression()
    {
        Assert.Equal(TaskKind.Regression, Infer("y", ["x,y", .. Enumerable.Range(0, 11).Select(i => $"{i},{i * 10}")]).Task);
    }

    [Fact]
    public void Column_kinds_are_inferred_missing_values_aside()
    {
        DataSchema schema = Infer("y", "n,b,c,y", "1.5,true,red,1", "NA,FALSE,,2", ",?,blue,1.5");
        Assert.Equal([ColumnKind.Number, ColumnKind.Boolean, ColumnKind.Category], schema.Features.Select(f => f.Kind));
        Assert.Equal(("no", "yes"), (Infer("y", "x,y", "1,yes", "2,no").NegativeClass, Infer("y", "x,y", "1,yes", "2,no").PositiveClass));
    }

    [Fact]
    public void Categories_booleans_and_missing_values_train_end_to_end()
    {
        string folder = CliRunner.NewFolder();
        var random = new Random(3);
        string[] colours = ["red", "green", "blue"];
        var lines = new List<string> { "colour,flag,size,\"note, quoted\",buy" };
        for (int i = 0; i < 200; i++)
        {
            string colour = colours[random.Next(3)];
            bool flag = random.Next(2) == 1;
            double size = random.NextDouble() * 10;
            bool buy = (colour == "red") ^ flag;
            string sizeText = i % 10 == 0 ? "" : size.ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
            lines.Add($"{(i % 17 == 0 ? "NA" : colour)},{(flag ? "true" : "false")},{sizeText},\"n, {i % 3}\",{(buy ? "yes" : "no")}");
        }
        string data = CliRunner.WriteCsv(folder, "shop.csv", [.. lines]);
        string model = Path.Combine(folder, "m.zip"), onnx = Path.Combine(folder, "m.onnx"), predictions = Path.Combine(folder, "p.csv");
        (int code, string output, string error) = CliRunner.Run("train", data, "--label", "buy", "--epochs", "30", "--hidden", "16", "--out", model, "--onnx", onnx);
        Assert.True(code == 0, error);
        Assert.Contains("binary classification (positive class 'yes')", output, StringComparison.Ordinal);
        Assert.Contains("Category (2) │ colour, note, quoted", output, StringComparison.Ordinal);
        Assert.Contains("Boolean (1)  │ flag", output, StringComparison.Ordinal);
        (code, _, error) = CliRunner.Run("predict", model, data, "--out", predictions);
        Assert.True(code == 0, error);
        string[] predicted = File.ReadAllLines(predictions);
        Assert.Equal("colour,flag,size,\"note, quoted\",buy,PredictedLabel,Probability", predicted[0]);
        double agreement = predicted[1..].Count(l => l.Split(',')[^2] == l.Split(',')[^3]) / 200.0;
        Assert.True(agreement > 0.8, $"XOR of a category and a Boolean is learned: {agreement}");

        // The ONNX model takes the raw columns: text for categories, float for numbers and Booleans (NaN: missing).
        string[][] rows = predicted[1..].Select(SplitQuoted).ToArray();
        int n = rows.Length;
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx);
        float Number(string field) => field switch { "" => float.NaN, "true" => 1, "false" => 0, _ => float.Parse(field, System.Globalization.CultureInfo.InvariantCulture) };
        using var results = session.Run(
        [
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("colour", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<string>(rows.Select(r => r[0] == "NA" ? "" : r[0]).ToArray(), [n, 1])),
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("flag", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(rows.Select(r => Number(r[1])).ToArray(), [n, 1])),
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("size", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(rows.Select(r => Number(r[2])).ToArray(), [n, 1])),
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("note, quoted", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<string>(rows.Select(r => r[3]).ToArray(), [n, 1])),
        ]);
        float[] fromOnnx = results.First(r => r.Name == "Probability.output").AsTensor<float>().ToArray();
        for (int i = 0; i < n; i++)
        {
            float expected = float.Parse(rows[i][^1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(Math.Abs(expected - fromOnnx[i]) <= 1e-5, $"row {i + 1}: {expected} (ML.NET) vs {fromOnnx[i]} (ONNX Runtime)");
        }
    }

    // Splits one line of the tool's output, where only the note column is quoted.
    private static string[] SplitQuoted(string line)
    {
        int open = line.IndexOf('"', StringComparison.Ordinal), close = line.IndexOf('"', open + 1);
        string[] before = line[..(open - 1)].Split(','), after = line[(close + 2)..].Split(',');
        return [.. before, line[(open + 1)..close], .. after];
    }
    [Fact]
    public void A_byte_order_mark_is_not_part_of_the_first_column_name()
    {
        string folder = CliRunner.NewFolder();
        string data = Path.Combine(folder, "bom.csv");
        File.WriteAllText(data, "y,x\n" + string.Join("\n", Enumerable.Range(0, 30).Select(i => $"{i % 2},{i}")) + "\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        (int code, string output, string error) = CliRunner.Run("train", data, "--label", "y", "--epochs", "2", "--test-fraction", "0", "--out", Path.Combine(folder, "m.zip"));
        Assert.True(code == 0, error);
        Assert.Contains("label 'y': binary classification (positive class '1')", output, StringComparison.Ordinal);
    }
}
