using Microsoft.ML;
using Microsoft.ML.Data;

namespace WebApi;

/// <summary>The served pipeline, loaded once from its file, with the class names in the order of its probabilities.</summary>
public sealed class IrisModel
{
    private IrisModel(MLContext mlContext, ITransformer transformer, string[] classes)
    {
        MLContext = mlContext;
        Transformer = transformer;
        Classes = classes;
    }

    /// <summary>The context the model was loaded in; prediction engines are made from it.</summary>
    public MLContext MLContext { get; }

    /// <summary>The whole pipeline, from the four measurements to the species.</summary>
    public ITransformer Transformer { get; }

    /// <summary>The species, in the order of <see cref="SpeciesPrediction.Score"/>.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Loads the model at <paramref name="path"/>, training and saving one first when the file does not exist.</summary>
    public static IrisModel LoadOrTrain(string path, ILogger logger)
    {
        if (!File.Exists(path))
        {
            string dataPath = Path.Combine(AppContext.BaseDirectory, "Data", "iris.csv");
            logger.LogInformation("No model at {Path}: training one on {Data}", path, dataPath);
            Train(dataPath, path);
        }
        var mlContext = new MLContext();
        // A fresh MLContext finds NeuralML's transformers only once they are registered.
        mlContext.ComponentCatalog.RegisterNeuralML();
        ITransformer transformer = mlContext.Model.Load(path, out DataViewSchema inputSchema);
        VBuffer<ReadOnlyMemory<char>> names = default;
        transformer.GetOutputSchema(inputSchema)["Score"].GetSlotNames(ref names);
        string[] classes = names.DenseValues().Select(name => name.ToString()).ToArray();
        logger.LogInformation("Loaded the model at {Path}: classes {Classes}", path, string.Join(", ", classes));
        return new IrisModel(mlContext, transformer, classes);
    }

    /// <summary>Trains the iris pipeline on every row of <paramref name="dataPath"/> and saves it to <paramref name="modelPath"/>.</summary>
    public static void Train(string dataPath, string modelPath)
    {
        var mlContext = new MLContext(seed: 1);
        IDataView data = mlContext.Data.LoadFromTextFile<Flower>(dataPath, separatorChar: ',', hasHeader: true);
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label", nameof(Flower.Species))
            .Append(mlContext.Transforms.Concatenate("Features",
                nameof(Flower.SepalLength), nameof(Flower.SepalWidth), nameof(Flower.PetalLength), nameof(Flower.PetalWidth)))
            .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
            .Append(mlContext.MulticlassClassification.Trainers.FeedForward())
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedSpecies", "PredictedLabel"));
        ITransformer model = pipeline.Fit(data);
        // Written beside the target and moved into place, so that a server never finds half a file.
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(modelPath))!);
        string partial = modelPath + ".partial";
        mlContext.Model.Save(model, data.Schema, partial);
        File.Move(partial, modelPath, overwrite: true);
    }
}
