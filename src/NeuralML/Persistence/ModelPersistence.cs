using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using NeuralML.Bridge;

namespace NeuralML.Persistence;

/// <summary>
/// FeedForward models inside <c>mlContext.Model.Save</c> files: the model's entry is NeuralML's own
/// <see cref="ModelFile"/>, written and read through ML.NET's model contexts (<see cref="MLNetInternals"/>), and
/// <see cref="Register"/> lets a context's <c>mlContext.Model.Load</c> find the loader.
/// </summary>
internal static class ModelPersistence
{
    public const string LoaderSignature = "NeuralMLFeedForward";

    /// <summary>ML.NET's version stamp of the entry; NeuralML's own format version is inside <see cref="ModelFile"/>.</summary>
    private static readonly ModelVersion Version = new("NRMLFFWD", 0x00010001, LoaderSignature, typeof(ModelPersistence).Assembly.FullName!);

    private static readonly ConditionalWeakTable<ComponentCatalog, object> Registered = [];

    public static void Write(ModelSaveContext context, FeedForwardModelParameters model, string featureColumnName)
    {
        BinaryWriter writer = MLNetInternals.BeginModel(context, Version);
        ModelFile.Write(writer.BaseStream, model, featureColumnName);
    }

    /// <summary>Reads a model from ML.NET's (internal) load context, as the loader registered by <see cref="Register"/> is handed it.</summary>
    /// <exception cref="InvalidDataException">The entry is not a valid NeuralML model.</exception>
    public static (FeedForwardModelParameters Model, string FeatureColumnName) Read(object loadContext)
        => ModelFile.Read(MLNetInternals.BeginModel(loadContext, Version).BaseStream);

    /// <summary>
    /// Makes <c>mlContext.Model.Load</c> in this catalog create <paramref name="transformerType"/> with
    /// <paramref name="create"/>, a static (IHostEnvironment, object loadContext) method. Idempotent.
    /// </summary>
    public static void Register(ComponentCatalog catalog, Type transformerType, MethodInfo create)
    {
        lock (Registered)
        {
            if (Registered.TryGetValue(catalog, out _)) return;
            MLNetInternals.RegisterLoader(catalog, transformerType, "NeuralML FeedForward", LoaderSignature, create);
            Registered.Add(catalog, new object());
        }
    }
}
