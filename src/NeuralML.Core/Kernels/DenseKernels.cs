using System.Runtime.CompilerServices;

namespace NeuralML.Kernels;

/// <summary>
/// The three matrix products of a dense layer. All matrices are row-major and dense: <c>x</c> is (rows, inputs),
/// <c>weights</c> is (inputs, outputs), so that the forward product reads it row by row as it is stored, and
/// <c>y</c> and <c>dY</c> are (rows, outputs). The public methods check the arguments once; implementations get
/// spans that are known to hold their shapes.
/// </summary>
/// <remarks>
/// The path is chosen once: the widest micro-kernel the machine runs (Vector512, then Vector256), else the portable
/// loops. The environment variable <c>NEURALML_KERNELS</c> (<c>Vector512</c>, <c>Vector256</c> or <c>Portable</c>)
/// forces one, so that every path can be tested on a machine that has AVX-512.
/// </remarks>
internal abstract class DenseKernels
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
    public static DenseKernels Default { get; } = Create(Environment.ProcessorCount);

    /// <summary>The path <see cref="Create"/> takes without an explicit one: <c>NEURALML_KERNELS</c> if set, else the widest supported.</summary>
    public static string ChosenPath => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } forced ? forced : Supported[0];

    /// <summary>The kernels of <paramref name="path"/> (default <see cref="ChosenPath"/>), using at most <paramref name="threads"/> threads.</summary>
    public static DenseKernels Create(int threads, string? path = null)
    {
        path ??= ChosenPath;
        return path switch
        {
            "Vector512" => new PackedDenseKernels<MicroKernelVector512, SimdVector512>(threads),
            "Vector256" => new PackedDenseKernels<MicroKernelVector256, SimdVector256>(threads),
            "Portable" => PortableDenseKernels.Instance,
            _ => throw new ArgumentException($"{EnvironmentVariable} is '{path}'; expected one of {string.Join(", ", Supported)}.", nameof(path)),
        };
    }

    private SparseKernels? _sparse;

    /// <summary>The sparse-input products (<see cref="SparseKernels"/>) of the same path on the same threads.</summary>
    public SparseKernels Sparse => _sparse ??= CreateSparse();

    private protected abstract SparseKernels CreateSparse();

    /// <summary>The name of the implementation, for logs and benchmarks.</summary>
    public abstract string Name { get; }

    /// <summary>The same kernels using at most <paramref name="threads"/> threads (these kernels when that changes nothing).</summary>
    public abstract DenseKernels WithThreads(int threads);

    /// <summary>y = f(x·weights + bias), with bias broadcast over rows and f the activation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y,
        int rows, int inputs, int outputs, Activation activation = Activation.Identity)
    {
        CheckMatrix(x, rows, inputs, nameof(x));
        CheckMatrix(weights, inputs, outputs, nameof(weights));
        CheckMatrix(y, rows, outputs, nameof(y));
        CheckMatrix(bias, 1, outputs, nameof(bias));
        ForwardCore(x, weights, bias, y, rows, inputs, outputs, activation);
    }

    /// <summary>dX = dY·weightsᵀ; dX is (rows, inputs) and is overwritten.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InputGradient(ReadOnlySpan<float> dY, ReadOnlySpan<float> weights, Span<float> dX, int rows, int inputs, int outputs)
    {
        CheckMatrix(dY, rows, outputs, nameof(dY));
        CheckMatrix(weights, inputs, outputs, nameof(weights));
        CheckMatrix(dX, rows, inputs, nameof(dX));
        InputGradientCore(dY, weights, dX, rows, inputs, outputs);
    }

    /// <summary>
    /// dWeights = xᵀ·dY and dBias = the column sums of dY, row by row in order; both are overwritten, whatever they
    /// held (which saves clearing them first).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WeightGradient(ReadOnlySpan<float> dY, ReadOnlySpan<float> x, Span<float> dWeights, Span<float> dBias, int rows, int inputs, int outputs)
    {
        CheckMatrix(dY, rows, outputs, nameof(dY));
        CheckMatrix(x, rows, inputs, nameof(x));
        CheckMatrix(dWeights, inputs, outputs, nameof(dWeights));
        CheckMatrix(dBias, 1, outputs, nameof(dBias));
        WeightGradientCore(dY, x, dWeights, dBias, rows, inputs, outputs);
    }

    private protected abstract void ForwardCore(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y,
        int rows, int inputs, int outputs, Activation activation);

    private protected abstract void InputGradientCore(ReadOnlySpan<float> dY, ReadOnlySpan<float> weights, Span<float> dX, int rows, int inputs, int outputs);

    private protected abstract void WeightGradientCore(ReadOnlySpan<float> dY, ReadOnlySpan<float> x, Span<float> dWeights, Span<float> dBias,
        int rows, int inputs, int outputs);

    private static void CheckMatrix(ReadOnlySpan<float> matrix, int rows, int columns, string name)
    {
        if (rows < 0 || columns < 0) throw new ArgumentOutOfRangeException(name, $"Negative shape ({rows}, {columns}).");
        if ((long)rows * columns > matrix.Length)
            throw new ArgumentException($"{name} holds {matrix.Length} values, fewer than its shape ({rows}, {columns}) needs.", name);
    }
}
