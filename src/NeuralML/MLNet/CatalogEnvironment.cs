using System.Reflection;
using Microsoft.ML.Runtime;

namespace NeuralML;

/// <summary>
/// Finds the <c>MLContext</c>'s environment behind <c>mlContext.*.Trainers</c>. ML.NET keeps it internal
/// (<c>IInternalCatalog.Environment</c>); without it an extension trainer gets neither the context's seed nor its log.
/// This is the only place NeuralML reads ML.NET internals; a test fails loudly if ML.NET renames them, and training
/// still works without it (seed from the options or 0, no log).
/// </summary>
internal static class CatalogEnvironment
{
    private const string InternalCatalogInterface = "Microsoft.ML.Data.IInternalCatalog";

    public static IHostEnvironment? TryGet(object catalog)
    {
        PropertyInfo? property = catalog.GetType().GetInterface(InternalCatalogInterface)?.GetProperty("Environment");
        return property?.GetValue(catalog) as IHostEnvironment;
    }

    /// <summary>
    /// Whether the MLContext was cancelled (<c>MLContext.CancelExecution</c>, as AutoML does at its time budget): the
    /// internal <c>ICancelable.IsCanceled</c> of the host; never, if ML.NET no longer has it.
    /// </summary>
    public static Func<bool> IsCanceled(IHost host)
    {
        PropertyInfo? property = host.GetType().GetInterface("Microsoft.ML.Runtime.ICancelable")?.GetProperty("IsCanceled");
        return property is null ? () => false : () => (bool)property.GetValue(host)!;
    }
}
