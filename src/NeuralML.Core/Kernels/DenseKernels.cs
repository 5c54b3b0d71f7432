namespace NeuralML.Kernels;

/// <summary>
/// Chooses the dense-layer kernels once: the widest micro-kernel the machine runs (Vector512, then Vector256), else
/// the portable loops. The environment variable <c>NEURALML_KERNELS</c> (<c>Vector512</c>, <c>Vector256</c> or
/// <c>Portable</c>) forces one, so that every path can be tested on a machine that has AVX-512.
/// </summary>
internal static class DenseKernels
{
    public const string EnvironmentVariable = "NEURALML_KERNELS";

    /// <summary>The path names this machine can run, best first.</summary>
    public static IReadOnlyList<string> Supported { get; } = new[]
    {
        MicroKernelVector512.IsSupported ? "Vector512" : null,
        MicroKernelVector256.IsSupported ? "Vector256" : null,
        "Portable",
    }.OfType<string>().ToArray();

    /// <summary>The chosen kernels on all cores. (Declared after <see cref="Supported"/>, which it reads while initialising.)</summary>
    public static IDenseKernels Default { get; } = Create(Environment.ProcessorCount);

    /// <summary>The kernels of the chosen path, using at most <paramref name="threads"/> threads.</summary>
    public static IDenseKernels Create(int threads, string? path = null)
    {
        path ??= Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } forced ? forced : Supported[0];
        return path switch
        {
            "Vector512" => new PackedDenseKernels<MicroKernelVector512>(threads),
            "Vector256" => new PackedDenseKernels<MicroKernelVector256>(threads),
            "Portable" => PortableDenseKernels.Instance,
            _ => throw new ArgumentException($"{EnvironmentVariable} is '{path}'; expected one of {string.Join(", ", Supported)}.", nameof(path)),
        };
    }
}
