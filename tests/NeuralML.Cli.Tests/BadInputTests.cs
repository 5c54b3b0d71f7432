using System.IO.Compression;

namespace NeuralML.Cli.Tests;

/// <summary>Bad input: a clear message naming the file, line and column, exit code 1, and no output file left behind.</summary>
public sealed class BadInputTests(TrainedModels models) : IClassFixture<TrainedModels>
{
    private readonly string _folder = CliRunner.NewFolder();

    private (int Code, string Err) Train(string data, string label = "y")
    {
        string model = Path.Combine(_folder, "model.zip");
        (int code, _, string error) = CliRunner.Run("train", data, "--label", label, "--epochs", "2", "--out", model, "--plot", Path.Combine(_folder, "curves.png"));
        Assert.False(File.Exists(model), "no model is written when the input is bad");
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
        return (code, error);
    }

    [Fact]
    public void A_missing_label_column_is_named_with_the_header()
    {
        string data = CliRunner.WriteCsv(_folder, "d.csv", "a,b", "1,2", "3,4");
        (int code, string error) = Train(data, "price");
        Assert.Equal(Cli.BadInput, code);
        Assert.Contains($"{data}, line 1: there is no label column 'price'; the header has: a, b.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ragged_row_is_named_by_its_line()
    {
        string data = CliRunner.WriteCsv(_folder, "d.csv", "a,b,y", "1,2,3", "4,5", "6,7,8");
        (int code, string error) = Train(data);
        Assert.Equal(Cli.BadInput, code);
        Assert.Contains($"{data}, line 3: the row has 2 field(s) but the header has 3 column(s).", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_in_a_numeric_column_is_named_by_line_and_column()
    {
        string[] rows = Enumerable.Range(0, 20).Select(i => $"{i},{i % 2}").ToArray();
        rows[12] = "twelve,0";
        string data = CliRunner.WriteCsv(_folder, "d.csv", ["x,y", .. rows]);
        (int code, string error) = Train(data);
        Assert.Equal(Cli.BadInput, code);
        Assert.Contains($"{data}, line 14, column 'x': 'twelve' is not a number, but 19 of the column's 20 values are.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_in_a_numeric_column_when_predicting_is_named_by_line_and_column()
    {
        string[] iris = File.ReadAllLines(CliRunner.Data("iris.csv"));
        string data = CliRunner.WriteCsv(_folder, "d.csv", iris[0], iris[1], "5.0,wide,1.4,0.2,setosa");
        string output = Path.Combine(_folder, "p.csv");
        File.WriteAllText(output, "earlier predictions");
        (int code, _, string error) = CliRunner.Run("predict", models.Iris.Model, data, "--out", output);
        Assert.Equal(Cli.BadInput, code);
        Assert.Contains($"{data}, line 3, column 'sepal_width': 'wide' is not a number", error, StringComparison.Ordinal);
        Assert.Equal("earlier predictions", File.ReadAllText(output)); // nothing half-written over it
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public void An_empty_file_says_so()
    {
        string data = CliRunner.WriteCsv(_folder, "d.csv", "");
        (int code, string error) = Train(data);
        Assert.Equal(Cli.BadInput, code);
        Assert.Contains($"{data}: the file is empty", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_without_rows_says_so()
    {
        string data = CliRunner.WriteCsv(_folder, "d.csv", "a,y");
        (int code, string error) = Train(data);
        Assert.Equal(Cli.BadInput, code);
        Assert.Contains($"{data}, line 2: the file has a header but no rows of data.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_model_is_refused_by_every_command()
    {
        string notZip = Path.Combine(_folder, "model.zip");
        File.WriteAllText(notZip, "not a model");
        string otherZip = Path.Combine(_folder, "other.zip");
        using (ZipArchive zip = ZipFile.Open(otherZip, ZipArchiveMode.Create)) zip.CreateEntry("readme.txt");
        foreach (string model in new[] { notZip, otherZip })
        {
            foreach (string[] args in new[] { new[] { "info", model }, ["evaluate", model, CliRunner.Data("iris.csv")], ["predict", model, CliRunner.Data("iris.csv"), "--out", Path.Combine(_folder, "p.csv")] })
            {
                (int code, _, string error) = CliRunner.Run(args);
                Assert.Equal(Cli.BadInput, code);
                Assert.StartsWith($"error: {model}: not a ", error, StringComparison.Ordinal);
            }
        }
        Assert.False(File.Exists(Path.Combine(_folder, "p.csv")));
    }

    [Fact]
    public void A_csv_without_a_column_the_model_reads_is_named()
    {
        string data = CliRunner.WriteCsv(_folder, "d.csv", "sepal_length,sepal_width,species", "5.1,3.5,setosa");
        (int code, _, string error) = CliRunner.Run("evaluate", models.Iris.Model, data);
        Assert.Equal(Cli.BadInput, code);
        Assert.Contains($"{data}, line 1: the header lacks the column(s) the model reads: petal_length, petal_width.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unseen_class_when_evaluating_is_named_by_line_and_column()
    {
        string[] iris = File.ReadAllLines(CliRunner.Data("iris.csv"));
        string data = CliRunner.WriteCsv(_folder, "d.csv", iris[0], iris[1], "5.0,3.1,1.4,0.2,daisy");
        (int code, _, string error) = CliRunner.Run("evaluate", models.Iris.Model, data);
        Assert.Equal(Cli.BadInput, code);
        Assert.Contains($"{data}, line 3, column 'species': 'daisy' is not one of the classes seen in training", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_usage_error_exits_with_its_own_code()
    {
        (int code, _, string error) = CliRunner.Run("train", CliRunner.Data("iris.csv"), "--out", Path.Combine(_folder, "m.zip"));
        Assert.Equal(Cli.UsageError, code);
        Assert.Contains("--label", error, StringComparison.Ordinal);
    }
}
