using System.Globalization;
using Microsoft.ML;
using NeuralML.Cli.Data;
using Spectre.Console;

namespace NeuralML.Cli.Commands;

/// <summary><c>neuralml info model.zip</c>: the data the model reads, its pipeline, its network and its training history's summary.</summary>
public static class InfoCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(string modelPath, IAnsiConsole console)
    {
        var mlContext = new MLContext(seed: 0);
        ModelBundle bundle = ModelBundle.Load(mlContext, modelPath);
        DataSchema schema = bundle.Schema;
        FeedForwardModelParameters network = bundle.Network.Model;
        string task = schema.Task switch
        {
            TaskKind.Binary => $"binary classification of '{schema.Label}' ('{schema.PositiveClass}' vs '{schema.NegativeClass}')",
            TaskKind.Multiclass => $"multiclass classification of '{schema.Label}' ({string.Join(", ", schema.Classes)})",
            _ => $"regression of '{schema.Label}'",
        };
        console.WriteLine($"{modelPath}: {task}");
        console.WriteLine($"Trained on {schema.TrainedOn}: {schema.TrainingRows} training rows, {schema.TestRows} held out for testing.");

        console.WriteLine("Input columns:");
        var columns = new Table();
        columns.AddColumn("Column");
        columns.AddColumn("Kind");
        foreach (CsvFeature f in schema.Features) columns.AddRow(new Text(f.Name), new Text(f.Kind.ToString()));
        console.Write(columns);

        console.WriteLine("Pipeline:");
        int step = 0;
        foreach (ITransformer transformer in ModelBundle.Steps(bundle.Model))
            console.WriteLine($"  {++step}. {Describe(transformer)}");

        console.WriteLine();
        console.WriteLine(network.Summary());

        FeedForwardTrainingHistory history = network.TrainingHistory;
        console.WriteLine();
        console.WriteLine("Training history:");
        var summary = new Table();
        summary.AddColumn("");
        summary.AddColumn(new TableColumn("").RightAligned());
        summary.ShowHeaders = false;
        void Row(string name, string value) => summary.AddRow(new Text(name), new Text(value));
        Row("Epochs run", history.Epochs.Count.ToString(CultureInfo.InvariantCulture));
        Row("Kept epoch", history.KeptEpoch.ToString(CultureInfo.InvariantCulture));
        FeedForwardEpoch? kept = history.Epochs.FirstOrDefault(e => e.Epoch == history.KeptEpoch);
        if (kept is not null)
        {
            Row("Training loss (kept epoch)", kept.TrainingLoss.ToString("G5", CultureInfo.InvariantCulture));
            if (kept.ValidationLoss is double loss) Row("Validation loss (kept epoch)", loss.ToString("G5", CultureInfo.InvariantCulture));
            if (kept.ValidationMetric is double metric) Row($"Validation {history.ValidationMetricName} (kept epoch)", metric.ToString("G5", CultureInfo.InvariantCulture));
        }
        double seconds = history.Epochs.Sum(e => e.Elapsed?.TotalSeconds ?? 0);
        Row("Training time", seconds.ToString("F2", CultureInfo.InvariantCulture) + " s");
        console.Write(summary);
        console.WriteLine($"Diagnosis: {history.Diagnosis}");
        return Cli.Success;
    }

    private static string Describe(ITransformer transformer)
    {
        string name = transformer.GetType().Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0) name = name[..tick];
        string step = name switch
        {
            "ColumnConcatenatingTransformer" => "Concatenate",
            "MissingValueReplacingTransformer" => "ReplaceMissingValues (training mean)",
            "OneHotEncodingTransformer" => "OneHotEncoding (unseen or missing: all zeros)",
            "NormalizingTransformer" => "NormalizeMeanVariance",
            "ValueToKeyMappingTransformer" => "MapValueToKey (the label's classes)",
            "KeyToValueMappingTransformer" => "MapKeyToValue (the predicted class)",
            "FeedForwardPredictionTransformer" => "FeedForward",
            _ => name,
        };
        return transformer is FeedForwardPredictionTransformer network
            ? $"{step} ({network.Model.Kind}, {network.Model.InputCount} inputs, {network.Model.ParameterCount:N0} parameters) [{name}]"
            : $"{step} [{name}]";
    }
}
