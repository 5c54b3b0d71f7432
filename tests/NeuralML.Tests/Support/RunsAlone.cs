namespace NeuralML.Tests.Support;

/// <summary>
/// A test collection that runs after the parallel ones, with nothing beside it: for measurements of the whole
/// process, such as bytes allocated on every thread.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Runs alone";
}
