using System.Globalization;
using Microsoft.ML;
using NeuralML.Cli.Data;
using NeuralML.Cli.Output;
using Spectre.Console;

namespace NeuralML.Cli.Commands;

/// <summary>What <c>neuralml train</c> was asked to do.</summary>
/// <param name="Data">The training CSV.</param>
/// <param name="Label">The label column.</param>
/// <param name="Task">The task, or null for auto.</param>
/// <param name="Hidden">Hidden-layer widths, or null for the trainer's sizing rule.</param>
/// <param name="Epochs">Epochs at most (early stopping may stop sooner).</param>
/// <param name="TestFraction">The share of rows held out for the test metrics.</param>
/// <param name="Seed">The seed of the split and of training.</param>
/// <param name="Out">The model file to write.</param>
/// <param name="Onnx">The ONNX file to write, if any.</param>
/// <param name="Plot">The PNG of the loss curves to write, if any.</param>
public sealed record TrainArguments(string Data, string Label, TaskKind? Task, int[]? Hidden, int Epochs, double TestFraction, int Seed,
    string Out, string? Onnx, string? Plot);

/// <summary>
/// <c>neuralml train</c>: reads and checks the CSV, infers its schema and the task, holds out test rows, trains the
/// pipeline with a live display, prints the test metrics, and writes the model, ONNX and plot files.
/// </summary>
public static class TrainCommand
{
    /// <summary>Early stopping's patience: epochs without a better validation loss before training stops.</summary>
    public const int Patience = 10;

    /// <summary>Column names listed per kind before training; the rest are counted.</summary>
    public const int ListedColumns = 8;

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(TrainArguments a, IAnsiConsole console, bool live)
    {
        List<CsvRow> rows;
        IReadOnlyList<string> header;
        using (CsvFile file = CsvFile.Open(a.Data))
        {
            header = file.Header;
            rows = file.Rows().ToList();
        }
        DataSchema inferred = SchemaInference.Infer(a.Data, header, rows, a.Label, a.Task);
        CsvTable all;
        int skipped;
        using (CsvFile file = CsvFile.Open(a.Data))
        {
            var builder = new TableBuilder(inferred, file, readLabel: true);
            foreach (CsvRow row in rows) builder.Add(row);
            all = builder.Build();
            skipped = builder.SkippedRows;
        }
        int testCount = (int)Math.Round(all.RowCount * a.TestFraction);
        if (all.RowCount - testCount < 2)
            throw new CliException($"{a.Data}: {all.RowCount} row(s) with a label leave too few to train on after holding out {testCount} for testing.");
        int[] order = Enumerable.Range(0, all.RowCount).ToArray();
        new Random(a.Seed).Shuffle(order);
        CsvTable train = all.Select(order[testCount..].Order().ToArray());
        CsvTable test = all.Select(order[..testCount].Order().ToArray());
        var schema = new DataSchema
        {
            Task = inferred.Task, Label = inferred.Label, LabelKind = inferred.LabelKind, PositiveClass = inferred.PositiveClass,
            NegativeClass = inferred.NegativeClass, Classes = inferred.Classes, Features = inferred.Features, Dropped = inferred.Dropped,
            TrainedOn = inferred.TrainedOn, TrainingRows = train.RowCount, TestRows = test.RowCount,
        };
        WriteSchema(console, schema, rows.Count, skipped);

        var mlContext = new MLContext(seed: a.Seed);
        var trainView = new TableDataView(train);
        string metricName = schema.Task switch { TaskKind.Binary => "AUC", TaskKind.Multiclass => "accuracy", _ => "R²" };
        ITransformer model = new TrainingProgress(console, live, a.Epochs, metricName).Run(progress =>
            PipelineFactory.Build(mlContext, schema, o =>
            {
                o.HiddenLayers = a.Hidden;
                o.Epochs = a.Epochs;
                o.EarlyStoppingRounds = Patience;
                o.EnsembleSize = 1;
                o.Seed = a.Seed;
                o.Progress = progress;
            }).Fit(trainView));
        var bundle = new ModelBundle(model, schema);
        FeedForwardTrainingHistory history = bundle.Network.Model.TrainingHistory;
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Trained {history.Epochs.Count} epoch(s); kept epoch {history.KeptEpoch}. {history.Diagnosis}"));

        if (test.RowCount > 0)
        {
            try
            {
                Metrics.Write(console, $"Test metrics ({test.RowCount} held-out rows)", Metrics.Evaluate(mlContext, schema, model.Transform(new TableDataView(test))));
            }
            catch (ArgumentException e)
            {
                // e.g. AUC on held-out rows of one class: the model is still worth saving.
                console.WriteLine($"No test metrics: {e.Message}");
            }
        }

        using var outputs = new AtomicFiles();
        ModelBundle.Save(mlContext, model, trainView.Schema, schema, outputs.Add(a.Out));
        if (a.Onnx is not null)
        {
            using FileStream stream = File.Create(outputs.Add(a.Onnx));
            mlContext.Model.ExportToOnnx(model, trainView, stream);
        }
        if (a.Plot is not null)
            LossPlot.Save(history, $"{schema.TrainedOn}: {schema.Task} on '{schema.Label}'", schema.Task == TaskKind.Regression, outputs.Add(a.Plot));
        outputs.Commit();
        console.WriteLine($"Model saved to {a.Out}" + (a.Onnx is null ? "" : $", ONNX to {a.Onnx}") + (a.Plot is null ? "" : $", loss curves to {a.Plot}") + ".");
        return Cli.Success;
    }

    private static void WriteSchema(IAnsiConsole console, DataSchema schema, int rows, int skipped)
    {
        string task = schema.Task switch
        {
            TaskKind.Binary => $"binary classification (positive class '{schema.PositiveClass}')",
            TaskKind.Multiclass => $"multiclass classification ({schema.Classes.Count} classes)",
            _ => "regression",
        };
        console.WriteLine($"{schema.TrainedOn}: {rows} rows, {schema.Features.Count} feature column(s); label '{schema.Label}': {task}.");
        if (skipped > 0) console.WriteLine($"{skipped} row(s) without a label were skipped.");
        foreach (string dropped in schema.Dropped) console.WriteLine($"Column {dropped} is left out.");
        console.WriteLine($"Training on {schema.TrainingRows} rows, testing on {schema.TestRows}.");
        var table = new Table();
        table.AddColumn("Kind");
        table.AddColumn("Columns");
        foreach (IGrouping<ColumnKind, CsvFeature> group in schema.Features.GroupBy(f => f.Kind))
        {
            string names = string.Join(", ", group.Take(ListedColumns).Select(f => f.Name));
            if (group.Count() > ListedColumns) names += $", ... ({group.Count() - ListedColumns} more; 'neuralml info' lists them all)";
            table.AddRow(new Text($"{group.Key} ({group.Count()})"), new Text(names));
        }
        console.Write(table);
    }
}
