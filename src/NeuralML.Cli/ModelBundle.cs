using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using NeuralML.Cli.Data;

namespace NeuralML.Cli;

/// <summary>
/// A model file of the tool: ML.NET's model zip (the whole pipeline with its input schema, loadable by
/// <c>mlContext.Model.Load</c> after <c>RegisterNeuralML()</c>) plus one entry, <see cref="SchemaEntry"/>, holding the
/// <see cref="DataSchema"/> as JSON, which ML.NET ignores.
/// </summary>
public sealed class ModelBundle
{
    /// <summary>The zip entry that holds the tool's <see cref="DataSchema"/>.</summary>
    public const string SchemaEntry = "NeuralML.Cli/schema.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>Pairs a fitted pipeline with the schema its CSV was read by.</summary>
    public ModelBundle(ITransformer model, DataSchema schema)
    {
        Model = model;
        Schema = schema;
    }

    /// <summary>The fitted pipeline.</summary>
    public ITransformer Model { get; }

    /// <summary>How the training CSV was read.</summary>
    public DataSchema Schema { get; }

    /// <summary>The network's transformer: the last FeedForward step of the pipeline.</summary>
    public FeedForwardPredictionTransformer Network => FindNetwork(Model);

    /// <summary>Writes the model and its schema to <paramref name="path"/> (a new file).</summary>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, DataSchema schema, string path)
    {
        mlContext.Model.Save(model, inputSchema, path);
        using ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Update);
        using Stream entry = zip.CreateEntry(SchemaEntry).Open();
        JsonSerializer.Serialize(entry, schema, Json);
    }

    /// <summary>Loads a model file written by <c>neuralml train</c>.</summary>
    /// <exception cref="CliException">The file is missing, not a zip, not an ML.NET model, or not written by the tool.</exception>
    public static ModelBundle Load(MLContext mlContext, string path)
    {
        if (!File.Exists(path)) throw new CliException($"{path}: no such file.");
        DataSchema schema;
        try
        {
            using ZipArchive zip = ZipFile.OpenRead(path);
            ZipArchiveEntry? entry = zip.GetEntry(SchemaEntry)
                ?? throw new CliException($"{path}: not a model written by 'neuralml train' (the zip has no {SchemaEntry}).");
            using Stream stream = entry.Open();
            schema = JsonSerializer.Deserialize<DataSchema>(stream, Json) ?? throw new CliException($"{path}: the model's {SchemaEntry} is empty.");
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException)
        {
            throw new CliException($"{path}: not a model file ({e.Message.TrimEnd('.')}). Give the .zip that 'neuralml train --out' wrote.", e);
        }
        if (schema.FormatVersion != 1)
            throw new CliException($"{path}: written by a newer neuralml (schema format {schema.FormatVersion}); this one reads format 1.");
        mlContext.ComponentCatalog.RegisterNeuralML();
        ITransformer model;
        try
        {
            model = mlContext.Model.Load(path, out _);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new CliException($"{path}: ML.NET cannot load the model: {Innermost(e).Message}", e);
        }
        _ = FindNetwork(model);
        return new ModelBundle(model, schema);
    }

    private static FeedForwardPredictionTransformer FindNetwork(ITransformer model) =>
        Steps(model).OfType<FeedForwardPredictionTransformer>().LastOrDefault()
        ?? throw new CliException("The model has no FeedForward network.");

    /// <summary>The pipeline's steps, in order (nested chains flattened).</summary>
    public static IEnumerable<ITransformer> Steps(ITransformer model)
    {
        if (model is IEnumerable<ITransformer> chain)
        {
            foreach (ITransformer step in chain)
                foreach (ITransformer inner in Steps(step))
                    yield return inner;
        }
        else yield return model;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
