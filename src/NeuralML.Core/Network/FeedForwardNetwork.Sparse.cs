using NeuralML.Kernels;

namespace NeuralML.Network;

/// <summary>The first layer on sparse (CSR) input: the same network, its first product on <see cref="SparseKernels"/>.</summary>
internal sealed partial class FeedForwardNetwork
{
    /// <summary>
    /// <see cref="Forward(ReadOnlySpan{float}, int, NetworkWorkspace, DenseKernels, IHiddenLayerPart[])"/> on the rows of
    /// <paramref name="input"/> (rows, InputCount), kept sparse: only the first layer reads them.
    /// </summary>
    public ReadOnlySpan<float> Forward(scoped in SparseRows input, NetworkWorkspace workspace, DenseKernels kernels, IHiddenLayerPart[]? trainingParts = null)
    {
        if (input.Columns != InputCount) throw new ArgumentException($"The network reads {InputCount} features; the rows have {input.Columns}.", nameof(input));
        return ForwardCore([], input, input.Rows, workspace, kernels, trainingParts);
    }

    /// <summary>
    /// <see cref="Backward(ReadOnlySpan{float}, int, ReadOnlySpan{float}, Span{float}, NetworkWorkspace, DenseKernels)"/>
    /// after a sparse <see cref="Forward(in SparseRows, NetworkWorkspace, DenseKernels, IHiddenLayerPart[])"/> of
    /// <paramref name="rows"/> rows whose transpose is <paramref name="input"/>. The first layer's weight gradient is
    /// written only in the rows of the columns the batch touches (<see cref="SparseColumns.Columns"/>): the caller
    /// keeps the other rows as it wants them (zero for the true gradient). With <paramref name="dTouchedRows"/>
    /// ((<see cref="SparseColumns.Count"/>, first layer's outputs)), those rows go there instead, one per touched column
    /// in order, and the first layer's weights in <paramref name="dParameters"/> are not written at all.
    /// </summary>
    public void Backward(SparseColumns input, int rows, ReadOnlySpan<float> dLogits, Span<float> dParameters, NetworkWorkspace workspace, DenseKernels kernels,
        Span<float> dTouchedRows = default)
        => BackwardCore([], input, dTouchedRows, rows, dLogits, dParameters, workspace, kernels);

    /// <summary>Layer <paramref name="l"/>'s product y = f(x·W + b), on the sparse kernels for a sparse input to the first layer.</summary>
    private void Product(int l, ReadOnlySpan<float> layerInput, scoped in SparseRows sparse, Span<float> y, int rows, DenseKernels kernels, Activation activation)
    {
        DenseLayerShape layer = _layers[l];
        if (l > 0 || sparse.Offsets.IsEmpty)
        {
            kernels.Forward(layerInput, Weights(l), Biases(l), y, rows, layer.Inputs, layer.Outputs, activation);
            return;
        }
        kernels.Sparse.Forward(sparse, Weights(0), Biases(0), y, layer.Inputs, layer.Outputs);
        if (activation == Activation.Identity) return;
        for (int r = 0; r < rows; r++) ActivationKernels.Apply(activation, y.Slice(r * layer.Outputs, layer.Outputs));
    }
}
