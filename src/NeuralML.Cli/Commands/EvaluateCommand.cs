using Microsoft.ML;
using NeuralML.Cli.Data;
using Spectre.Console;

namespace NeuralML.Cli.Commands;

/// <summary><c>neuralml evaluate model.zip test.csv</c>: the task's metrics on a labelled CSV with the training header.</summary>
public static class EvaluateCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(string modelPath, string dataPath, IAnsiConsole console)
    {
        var mlContext = new MLContext(seed: 0);
        ModelBundle bundle = ModelBundle.Load(mlContext, modelPath);
        CsvTable table;
        int skipped;
        using (CsvFile file = CsvFile.Open(dataPath))
        {
            var builder = new TableBuilder(bundle.Schema, file, readLabel: true);
            foreach (CsvRow row in file.Rows()) builder.Add(row);
            table = builder.Build();
            skipped = builder.SkippedRows;
        }
        if (skipped > 0) console.WriteLine($"{skipped} row(s) without a label were skipped.");
        if (table.RowCount == 0) throw new CliException($"{dataPath}: no rows with a label to evaluate on.");
        IDataView scored = bundle.Model.Transform(new TableDataView(table));
        Metrics.Write(console, $"{Path.GetFileName(dataPath)}: {table.RowCount} rows", Metrics.Evaluate(mlContext, bundle.Schema, scored));
        return Cli.Success;
    }
}
