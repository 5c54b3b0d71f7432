using NeuralML.Kernels;

namespace NeuralML.Tests.Support;

/// <summary>
/// The dense-kernel paths the kernel theories run: the one <c>NEURALML_KERNELS</c> names (CI runs the whole suite once
/// per path, with that variable set), else every path this machine supports (a developer's plain <c>dotnet test</c>).
/// </summary>
internal static class KernelPaths
{
    public static IReadOnlyList<string> UnderTest { get; } =
        Environment.GetEnvironmentVariable(DenseKernels.EnvironmentVariable) is { Length: > 0 } forced ? [forced] : DenseKernels.Supported;
}
