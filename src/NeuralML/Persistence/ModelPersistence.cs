using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using NeuralML.Bridge;

namespace NeuralML.Persistence;

/// <summary>
/// FeedForward models inside <c>mlContext.Model.Save</c> files: the model's entry is NeuralML's own
/// <see cref="ModelFile"/>, written and read through ML.NET's model contexts (<see cref="MLNetInternals"/>), and
/// <see cref="Register"/> lets a context's <c>mlContext.Model.Load</c> create the transformer from it.
/// </summary>
internal static class ModelPersistence
{
    public const string LoaderSignature = "NeuralMLFeedForward";

    /// <summary>ML.NET's version stamp of the entry; NeuralML's own format version is inside <see cref="ModelFile"/>.</summary>
    private static readonly ModelVersion Version = new("NRMLFFWD", 0x00010001, LoaderSignature, typeof(ModelPersistence).Assembly.FullName!);

    private static readonly ConditionalWeakTable<ComponentCatalog, object> Registered = [];

    public static void Save(ModelSaveContext context, FeedForwardModelParameters model, string featureColumnName)
    {
        BinaryWriter writer = MLNetInternals.BeginModel(context, Version);
        ModelFile.Write(writer.BaseStream, model, featureColumnName);
    }

    /// <summary>Makes <c>mlContext.Model.Load</c> in this catalog able to create NeuralML transformers. Idempotent.</summary>
    public static void Register(ComponentCatalog catalog)
    {
        lock (Registered)
        {
            if (Registered.TryGetValue(catalog, out _)) return;
            MethodInfo create = typeof(ModelPersistence).GetMethod(nameof(Create), BindingFlags.NonPublic | BindingFlags.Static)!;
            MLNetInternals.RegisterLoader(catalog, typeof(FeedForwardPredictionTransformer), "NeuralML FeedForward", LoaderSignature, create);
            Registered.Add(catalog, new object());
        }
    }

    /// <summary>Called by ML.NET's loader with the environment and its (internal) ModelLoadContext.</summary>
    private static FeedForwardPredictionTransformer Create(IHostEnvironment environment, object context)
    {
        BinaryReader reader = MLNetInternals.BeginModel(context, Version);
        (FeedForwardModelParameters model, string featureColumn) = ModelFile.Read(reader.BaseStream);
        return new FeedForwardPredictionTransformer(model, featureColumn);
    }
}
