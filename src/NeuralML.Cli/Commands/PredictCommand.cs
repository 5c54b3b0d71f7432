using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Cli.Data;
using NeuralML.Cli.Output;
using Spectre.Console;

namespace NeuralML.Cli.Commands;

/// <summary>
/// <c>neuralml predict model.zip rows.csv --out predictions.csv</c>: every input row with the model's prediction
/// appended. Rows stream through in chunks of <see cref="ChunkRows"/>, so a file of any size runs in bounded memory.
/// Binary: <c>PredictedLabel</c> (a class as written in the training file) and <c>Probability</c> (of the positive
/// class); multiclass: <c>PredictedLabel</c> and one <c>Probability(class)</c> per class; regression: <c>Score</c>.
/// A label column in the input is copied, not read.
/// </summary>
public static class PredictCommand
{
    /// <summary>Rows converted and scored at a time.</summary>
    public const int ChunkRows = 4096;

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(string modelPath, string dataPath, string outPath, IAnsiConsole console)
    {
        var mlContext = new MLContext(seed: 0);
        ModelBundle bundle = ModelBundle.Load(mlContext, modelPath);
        DataSchema schema = bundle.Schema;
        using var outputs = new AtomicFiles();
        long written = 0;
        using (CsvFile file = CsvFile.Open(dataPath))
        using (var writer = new StreamWriter(outputs.Add(outPath)))
        {
            var builder = new TableBuilder(schema, file, readLabel: false);
            var fields = new List<string[]>(ChunkRows);
            string[] classes = schema.Task == TaskKind.Multiclass ? schema.Classes.ToArray() : [];
            string[] added = schema.Task switch
            {
                TaskKind.Binary => ["PredictedLabel", "Probability"],
                TaskKind.Multiclass => ["PredictedLabel", .. classes.Select(c => $"Probability({c})")],
                _ => ["Score"],
            };
            var names = new HashSet<string>(file.Header, StringComparer.Ordinal);
            added = added.Select(n => Unique(n, names)).ToArray();
            WriteRecord(writer, [.. file.Header, .. added]);
            foreach (CsvRow row in file.Rows())
            {
                builder.Add(row);
                fields.Add(row.Fields);
                if (fields.Count == ChunkRows) written += Flush(bundle, builder, fields, classes, writer);
            }
            written += Flush(bundle, builder, fields, classes, writer);
        }
        outputs.Commit();
        console.WriteLine($"Wrote {written} prediction(s) to {outPath}.");
        return Cli.Success;
    }

    private static int Flush(ModelBundle bundle, TableBuilder builder, List<string[]> fields, string[] classes, StreamWriter writer)
    {
        if (fields.Count == 0) return 0;
        IDataView scored = bundle.Model.Transform(new TableDataView(builder.Build()));
        DataSchema schema = bundle.Schema;
        var predictions = new List<string[]>(fields.Count);
        switch (schema.Task)
        {
            case TaskKind.Binary:
                bool[] labels = scored.GetColumn<bool>("PredictedLabel").ToArray();
                float[] probabilities = scored.GetColumn<float>("Probability").ToArray();
                for (int i = 0; i < labels.Length; i++)
                    predictions.Add([labels[i] ? schema.PositiveClass! : schema.NegativeClass!, Format(probabilities[i])]);
                break;
            case TaskKind.Multiclass:
                VBuffer<ReadOnlyMemory<char>> slotNames = default;
                scored.Schema["Score"].GetSlotNames(ref slotNames);
                string[] slots = slotNames.DenseValues().Select(s => s.ToString()).ToArray();
                int[] slotOfClass = classes.Select(c => Array.IndexOf(slots, c)).ToArray();
                string[] predicted = scored.GetColumn<ReadOnlyMemory<char>>(PipelineFactory.PredictedClassColumn).Select(m => m.ToString()).ToArray();
                int row = 0;
                foreach (VBuffer<float> score in scored.GetColumn<VBuffer<float>>("Score"))
                {
                    float[] values = score.DenseValues().ToArray();
                    predictions.Add([predicted[row++], .. slotOfClass.Select(s => s >= 0 ? Format(values[s]) : "0")]);
                }
                break;
            default:
                foreach (float score in scored.GetColumn<float>("Score")) predictions.Add([Format(score)]);
                break;
        }
        for (int i = 0; i < fields.Count; i++) WriteRecord(writer, [.. fields[i], .. predictions[i]]);
        int count = fields.Count;
        fields.Clear();
        return count;
    }

    private static string Unique(string name, HashSet<string> taken)
    {
        while (!taken.Add(name)) name += "_";
        return name;
    }

    private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static void WriteRecord(StreamWriter writer, string[] fields)
    {
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0) writer.Write(',');
            string field = fields[i];
            if (field.AsSpan().IndexOfAny(",\"\r\n") >= 0) writer.Write($"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"");
            else writer.Write(field);
        }
        writer.Write('\n');
    }
}
