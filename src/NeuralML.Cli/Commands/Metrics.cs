using System.Globalization;
using Microsoft.ML;
using NeuralML.Cli.Data;
using Spectre.Console;

namespace NeuralML.Cli.Commands;

/// <summary>The task's evaluation metrics on scored rows, as ML.NET's evaluators compute them, and their table.</summary>
public static class Metrics
{
    /// <summary>Evaluates scored rows (the model's output on rows with labels).</summary>
    public static IReadOnlyList<(string Name, double Value)> Evaluate(MLContext mlContext, DataSchema schema, IDataView scored)
    {
        switch (schema.Task)
        {
            case TaskKind.Binary:
                var binary = mlContext.BinaryClassification.Evaluate(scored, schema.Label);
                return
                [
                    ("Accuracy", binary.Accuracy), ("AUC", binary.AreaUnderRocCurve), ("F1 score", binary.F1Score),
                    ($"Precision ({schema.PositiveClass})", binary.PositivePrecision), ($"Recall ({schema.PositiveClass})", binary.PositiveRecall),
                    ("Log loss", binary.LogLoss),
                ];
            case TaskKind.Multiclass:
                var multiclass = mlContext.MulticlassClassification.Evaluate(scored, PipelineFactory.LabelKeyColumn);
                return [("Accuracy (micro)", multiclass.MicroAccuracy), ("Accuracy (macro)", multiclass.MacroAccuracy), ("Log loss", multiclass.LogLoss)];
            default:
                var regression = mlContext.Regression.Evaluate(scored, schema.Label);
                return
                [
                    ("R²", regression.RSquared), ("Mean absolute error", regression.MeanAbsoluteError),
                    ("Root mean squared error", regression.RootMeanSquaredError),
                ];
        }
    }

    /// <summary>Writes the metrics as a two-column table under a title.</summary>
    public static void Write(IAnsiConsole console, string title, IReadOnlyList<(string Name, double Value)> metrics)
    {
        console.WriteLine(title);
        var table = new Table();
        table.AddColumn("Metric");
        table.AddColumn(new TableColumn("Value").RightAligned());
        foreach ((string name, double value) in metrics)
            table.AddRow(new Text(name), new Text(value.ToString("F4", CultureInfo.InvariantCulture)));
        console.Write(table);
    }
}
