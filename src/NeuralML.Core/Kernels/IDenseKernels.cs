namespace NeuralML.Kernels;

/// <summary>
/// The three matrix products of a dense layer. All matrices are row-major and dense: <c>x</c> is (rows, inputs),
/// <c>weights</c> is (inputs, outputs), so that the forward product reads it row by row as it is stored, and
/// <c>y</c> and <c>dY</c> are (rows, outputs).
/// </summary>
internal interface IDenseKernels
{
    /// <summary>The name of the implementation, for logs and benchmarks.</summary>
    string Name { get; }

    /// <summary>y = f(x·weights + bias), with bias broadcast over rows and f the activation.</summary>
    void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y,
        int rows, int inputs, int outputs, Activation activation = Activation.Identity);

    /// <summary>dX = dY·weightsᵀ; dX is (rows, inputs) and is overwritten.</summary>
    void InputGradient(ReadOnlySpan<float> dY, ReadOnlySpan<float> weights, Span<float> dX,
        int rows, int inputs, int outputs);

    /// <summary>
    /// dWeights += xᵀ·dY and dBias += the column sums of dY; with <paramref name="overwrite"/>, dWeights = xᵀ·dY and
    /// dBias = the column sums, whatever the buffers held (which saves clearing them first).
    /// </summary>
    void AccumulateWeightGradient(ReadOnlySpan<float> dY, ReadOnlySpan<float> x, Span<float> dWeights, Span<float> dBias,
        int rows, int inputs, int outputs, bool overwrite = false);
}
