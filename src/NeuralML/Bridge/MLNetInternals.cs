using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace NeuralML.Bridge;

/// <summary>
/// Every member of ML.NET that NeuralML reaches by reflection, in this file and nowhere else: ML.NET keeps them internal
/// (its own extension packages reach them as friends), and a third-party trainer needs them to get the MLContext's
/// seed, log and cancellation, to write itself into and be found in <c>mlContext.Model.Save</c> files
/// (dotnet/machinelearning#4911, #6839), to read which columns a transformer maps for the ONNX export, and to create
/// <see cref="SchemaShape.Column"/> values. Each member is looked up once, when this class is first used;
/// <see cref="Missing"/> names those an ML.NET update moved, and a test asserts it is empty. Checked against
/// Microsoft.ML 5.0.1.
/// </summary>
internal static class MLNetInternals
{
    private const BindingFlags AnyMember = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;

    // Declared first: the lookups below add to it as they initialise, in order.
    private static readonly List<string> MissingMembers = [];

    private static readonly Assembly CoreAssembly = typeof(IHostEnvironment).Assembly;
    private static readonly Assembly DataAssembly = typeof(BinaryClassificationCatalog).Assembly;

    private static readonly PropertyInfo? CatalogEnvironmentProperty = Find("Microsoft.ML.Data.IInternalCatalog.Environment",
        () => DataAssembly.GetType("Microsoft.ML.Data.IInternalCatalog")?.GetProperty("Environment", AnyMember));

    private static readonly PropertyInfo? IsCanceledProperty = Find("Microsoft.ML.Runtime.ICancelable.IsCanceled",
        () => CoreAssembly.GetType("Microsoft.ML.Runtime.ICancelable")?.GetProperty("IsCanceled", AnyMember));

    private static readonly Type? VersionInfoType = Find("Microsoft.ML.VersionInfo", () => CoreAssembly.GetType("Microsoft.ML.VersionInfo"));

    private static readonly ConstructorInfo? VersionInfoConstructor = Find("VersionInfo(string, uint, uint, uint, string, string, string)",
        () => VersionInfoType?.GetConstructor(AnyMember, [typeof(string), typeof(uint), typeof(uint), typeof(uint), typeof(string), typeof(string), typeof(string)]));

    private static readonly MethodInfo? SaveCheckAtModel = Find("ModelSaveContext.CheckAtModel()",
        () => typeof(ModelSaveContext).GetMethod("CheckAtModel", AnyMember, Type.EmptyTypes));

    private static readonly MethodInfo? SaveSetVersionInfo = Find("ModelSaveContext.SetVersionInfo(VersionInfo)",
        () => VersionInfoType is null ? null : typeof(ModelSaveContext).GetMethod("SetVersionInfo", AnyMember, [VersionInfoType]));

    private static readonly FieldInfo? SaveWriter = Find("ModelSaveContext.Writer", () => typeof(ModelSaveContext).GetField("Writer", AnyMember));

    private static readonly Type? LoadContextType = Find("Microsoft.ML.ModelLoadContext", () => CoreAssembly.GetType("Microsoft.ML.ModelLoadContext"));

    private static readonly MethodInfo? LoadCheckAtModel = Find("ModelLoadContext.CheckAtModel(VersionInfo)",
        () => VersionInfoType is null ? null : LoadContextType?.GetMethod("CheckAtModel", AnyMember, [VersionInfoType]));

    private static readonly FieldInfo? LoadReader = Find("ModelLoadContext.Reader", () => LoadContextType?.GetField("Reader", AnyMember));

    private static readonly ConstructorInfo? LoadableClassAttributeConstructor = Find("LoadableClassAttribute(Type, Type, Type, string, string[])",
        () => CoreAssembly.GetType("Microsoft.ML.LoadableClassAttribute")?.GetConstructor(AnyMember,
            [typeof(Type), typeof(Type), typeof(Type), typeof(string), typeof(string[])]));

    private static readonly Type? SignatureLoadModel = Find("Microsoft.ML.SignatureLoadModel", () => CoreAssembly.GetType("Microsoft.ML.SignatureLoadModel"));

    private static readonly ConstructorInfo? LoadableClassInfoConstructor = Find("ComponentCatalog.LoadableClassInfo(attribute, getter, constructor, create, requireEnvironment)",
        () => typeof(ComponentCatalog).GetNestedType("LoadableClassInfo", AnyMember)?.GetConstructors(AnyMember).SingleOrDefault(c => c.GetParameters().Length == 5));

    private static readonly MethodInfo? AddClass = Find("ComponentCatalog.AddClass(LoadableClassInfo, string[], bool)",
        () => typeof(ComponentCatalog).GetMethods(AnyMember).SingleOrDefault(m => m.Name == "AddClass" && m.GetParameters().Length == 3));

    private static readonly Type? OneToOneTransformerBase = Find("Microsoft.ML.Data.OneToOneTransformerBase",
        () => DataAssembly.GetType("Microsoft.ML.Data.OneToOneTransformerBase"));

    private static readonly FieldInfo? ColumnPairsField = Find("OneToOneTransformerBase.ColumnPairs",
        () => OneToOneTransformerBase?.GetField("ColumnPairs", AnyMember));

    private static readonly PropertyInfo? ConcatenatedColumnsProperty = Find("ColumnConcatenatingTransformer.Columns",
        () => typeof(ColumnConcatenatingTransformer).GetProperty("Columns", AnyMember));

    private static readonly ConstructorInfo? SchemaShapeColumnConstructor = Find("SchemaShape.Column(string, VectorKind, DataViewType, bool, SchemaShape)",
        () => typeof(SchemaShape.Column).GetConstructor(AnyMember,
            [typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape)]));

    /// <summary>The internal members this version of ML.NET does not have, by name; empty when NeuralML works with it.</summary>
    public static IReadOnlyList<string> Missing => MissingMembers;

    /// <summary>
    /// The <c>MLContext</c> behind a trainers catalog (<c>IInternalCatalog.Environment</c>), or null if ML.NET no longer
    /// exposes it that way: training then still works, with the seed from the options (or 0) and no log.
    /// </summary>
    public static IHostEnvironment? EnvironmentOf(object catalog)
        => catalog.GetType().GetInterfaces().Contains(CatalogEnvironmentProperty?.DeclaringType) ? CatalogEnvironmentProperty!.GetValue(catalog) as IHostEnvironment : null;

    /// <summary>
    /// Whether the MLContext was cancelled (<c>MLContext.CancelExecution</c>, as AutoML does at its time budget): the
    /// host's internal <c>ICancelable.IsCanceled</c>; never, if ML.NET no longer has it.
    /// </summary>
    public static Func<bool> IsCanceled(IHost host)
    {
        PropertyInfo? property = IsCanceledProperty;
        return property is not null && property.DeclaringType!.IsInstanceOfType(host) ? () => (bool)property.GetValue(host)! : () => false;
    }

    /// <summary>Declares a model's version in a save context and returns the context's writer, positioned for the model's bytes.</summary>
    public static BinaryWriter BeginModel(ModelSaveContext context, ModelVersion version)
    {
        Invoke(Require(SaveCheckAtModel, "ModelSaveContext.CheckAtModel()"), context);
        Invoke(Require(SaveSetVersionInfo, "ModelSaveContext.SetVersionInfo"), context, CreateVersionInfo(version));
        var writer = (BinaryWriter)Require(SaveWriter, "ModelSaveContext.Writer").GetValue(context)!;
        writer.Flush();
        return writer;
    }

    /// <summary>Checks a model's version in ML.NET's (internal) load context and returns its reader, positioned at the model's bytes.</summary>
    public static BinaryReader BeginModel(object loadContext, ModelVersion version)
    {
        Invoke(Require(LoadCheckAtModel, "ModelLoadContext.CheckAtModel(VersionInfo)"), loadContext, CreateVersionInfo(version));
        return (BinaryReader)Require(LoadReader, "ModelLoadContext.Reader").GetValue(loadContext)!;
    }

    /// <summary>
    /// Makes <c>mlContext.Model.Load</c> in <paramref name="catalog"/> find a loader: <paramref name="create"/>, a static
    /// method (IHostEnvironment, object loadContext) returning <paramref name="instanceType"/>, under <paramref name="loaderSignature"/>.
    /// </summary>
    public static void RegisterLoader(ComponentCatalog catalog, Type instanceType, string userName, string loaderSignature, MethodInfo create)
    {
        object attribute = Require(LoadableClassAttributeConstructor, "LoadableClassAttribute")
            .Invoke([instanceType, null, Require(SignatureLoadModel, "SignatureLoadModel"), userName, new[] { loaderSignature }]);
        object info = Require(LoadableClassInfoConstructor, "ComponentCatalog.LoadableClassInfo").Invoke([attribute, null, null, new UnwrappedLoaderMethod(create), true]);
        Invoke(Require(AddClass, "ComponentCatalog.AddClass"), catalog, info, new[] { loaderSignature }, false);
    }

    /// <summary>(output, input) column pairs of a one-to-one transformer such as a normaliser or key mapping.</summary>
    /// <exception cref="NotSupportedException">The transformer is not one-to-one, or ML.NET moved the member.</exception>
    public static (string Output, string Input)[] ColumnPairs(ITransformer transformer)
    {
        if (OneToOneTransformerBase?.IsInstanceOfType(transformer) != true || ColumnPairsField?.GetValue(transformer) is not (string, string)[] pairs)
            throw new NotSupportedException($"Cannot read the columns of {transformer.GetType().Name} in this version of ML.NET.");
        return pairs.Select(p => (p.Item1, p.Item2)).ToArray();
    }

    /// <summary>(output, inputs in order) of a <see cref="ColumnConcatenatingTransformer"/>.</summary>
    public static (string Output, string[] Inputs)[] ConcatenatedColumns(ColumnConcatenatingTransformer transformer)
    {
        if (ConcatenatedColumnsProperty?.GetValue(transformer) is not IEnumerable<(string, string[])> columns)
            throw new NotSupportedException("Cannot read the columns of ColumnConcatenatingTransformer in this version of ML.NET.");
        return columns.Select(c => (c.Item1, c.Item2)).ToArray();
    }

    /// <summary>A <see cref="SchemaShape.Column"/>, whose constructor ML.NET keeps internal.</summary>
    public static SchemaShape.Column SchemaShapeColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, SchemaShape annotations)
        => (SchemaShape.Column)Require(SchemaShapeColumnConstructor, "SchemaShape.Column's constructor").Invoke([name, kind, itemType, isKey, annotations]);

    private static object CreateVersionInfo(ModelVersion version)
        => Require(VersionInfoConstructor, "VersionInfo's constructor").Invoke(
            [version.ModelSignature, version.Version, version.Version, version.Version, version.LoaderAssemblyName, version.LoaderSignature, null]);

    private static T? Find<T>(string name, Func<T?> lookup) where T : class
    {
        T? member = null;
        try
        {
            member = lookup();
        }
        catch (Exception e) when (e is AmbiguousMatchException or ArgumentException)
        {
        }
        if (member is null) MissingMembers.Add(name);
        return member;
    }

    private static T Require<T>(T? member, string name) where T : class
        => member ?? throw new MissingMemberException(
            $"NeuralML needs ML.NET's internal {name}, which this version of Microsoft.ML ({DataAssembly.GetName().Version}) does not have. NeuralML was checked against Microsoft.ML 5.0.1.");

    private static void Invoke(MethodInfo method, object target, params object[] arguments)
    {
        try
        {
            method.Invoke(target, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
        }
    }
}

/// <summary>How a model is identified in ML.NET's model files: its 8-character signature, its version, and its loader.</summary>
internal sealed record ModelVersion(string ModelSignature, uint Version, string LoaderSignature, string LoaderAssemblyName);
