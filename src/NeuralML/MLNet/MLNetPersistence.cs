using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace NeuralML;

/// <summary>
/// The bridge to ML.NET's model files. A third-party transformer cannot, by public means, write itself into a
/// <c>mlContext.Model.Save</c> file or be found by <c>mlContext.Model.Load</c> (dotnet/machinelearning#4911, #6839):
/// the members involved (<c>ModelSaveContext.Writer</c>, <c>SetVersionInfo</c>, <c>VersionInfo</c>,
/// <c>ModelLoadContext.Reader</c>, <c>ComponentCatalog.AddClass</c>, <c>LoadableClassAttribute</c>) are internal.
/// This file, and only this file, reaches them by reflection; tests fail loudly if an ML.NET update moves them.
/// Checked against Microsoft.ML 5.0.1.
/// </summary>
internal static class MLNetPersistence
{
    public const string LoaderSignature = "NeuralMLFeedForward";
    private const string ModelSignature = "NRMLFFWD";
    private const uint Version = 0x00010001;
    private const BindingFlags Members = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
    private static readonly Assembly Core = typeof(IHostEnvironment).Assembly;
    private static readonly ConditionalWeakTable<ComponentCatalog, object> Registered = [];

    /// <summary>Writes the model through the save context's internal writer.</summary>
    public static void Save(ModelSaveContext context, Action<Stream> write)
    {
        Invoke(context, "CheckAtModel");
        Invoke(context, "SetVersionInfo", CreateVersionInfo());
        var writer = (BinaryWriter)Field(context, "Writer");
        writer.Flush();
        write(writer.BaseStream);
    }

    /// <summary>Makes <c>mlContext.Model.Load</c> in this catalog able to create NeuralML transformers. Idempotent.</summary>
    public static void Register(ComponentCatalog catalog)
    {
        lock (Registered)
        {
            if (Registered.TryGetValue(catalog, out _)) return;
            Type attributeType = Core.GetType("Microsoft.ML.LoadableClassAttribute", throwOnError: true)!;
            object attribute = attributeType.GetConstructor(Members, [typeof(Type), typeof(Type), typeof(Type), typeof(string), typeof(string[])])!
                .Invoke([typeof(FeedForwardPredictionTransformer), null, Core.GetType("Microsoft.ML.SignatureLoadModel", throwOnError: true), "NeuralML FeedForward", new[] { LoaderSignature }]);
            Type infoType = typeof(ComponentCatalog).GetNestedType("LoadableClassInfo", Members)
                ?? throw new MissingMemberException("ComponentCatalog.LoadableClassInfo");
            MethodInfo create = typeof(MLNetPersistence).GetMethod(nameof(Create), Members)!;
            object info = infoType.GetConstructors(Members).Single(c => c.GetParameters().Length == 5)
                .Invoke([attribute, null, null, create, true]);
            typeof(ComponentCatalog).GetMethod("AddClass", Members)!.Invoke(catalog, [info, new[] { LoaderSignature }, false]);
            Registered.Add(catalog, new object());
        }
    }

    /// <summary>Called by ML.NET's loader with the environment and its (internal) ModelLoadContext.</summary>
    private static FeedForwardPredictionTransformer Create(IHostEnvironment environment, object context)
    {
        Type versionInfoType = Core.GetType("Microsoft.ML.VersionInfo", throwOnError: true)!;
        context.GetType().GetMethod("CheckAtModel", Members, [versionInfoType])!.Invoke(context, [CreateVersionInfo()]);
        var reader = (BinaryReader)Field(context, "Reader");
        (FeedForwardModelParameters model, string featureColumn) = ModelFile.Read(reader.BaseStream);
        return new FeedForwardPredictionTransformer(model, featureColumn);
    }

    private static object CreateVersionInfo()
    {
        Type type = Core.GetType("Microsoft.ML.VersionInfo", throwOnError: true)!;
        return type.GetConstructor(Members, [typeof(string), typeof(uint), typeof(uint), typeof(uint), typeof(string), typeof(string), typeof(string)])!
            .Invoke([ModelSignature, Version, Version, Version, typeof(MLNetPersistence).Assembly.FullName, LoaderSignature, null]);
    }

    private static object Field(object target, string name)
        => target.GetType().GetField(name, Members)?.GetValue(target) ?? throw new MissingMemberException(target.GetType().Name, name);

    private static void Invoke(object target, string name, params object[] arguments)
    {
        MethodInfo method = target.GetType().GetMethods(Members).FirstOrDefault(m => m.Name == name && m.GetParameters().Length == arguments.Length)
            ?? throw new MissingMethodException(target.GetType().Name, name);
        try
        {
            method.Invoke(target, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}
