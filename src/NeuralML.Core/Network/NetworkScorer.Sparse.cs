using NeuralML.Kernels;

namespace NeuralML.Network;

/// <summary>Scoring sparse rows: the first layer on <see cref="SparseKernels"/>, so a row costs its non-zeros, not its width.</summary>
internal sealed partial class NetworkScorer
{
    /// <summary>
    /// <see cref="Score(ReadOnlySpan{float}, int, Span{float}, Span{float})"/> for the rows of <paramref name="features"/> (rows, inputs) in CSR form. A row's result
    /// depends only on its own values, as for dense rows.
    /// </summary>
    public void Score(scoped in SparseRows features, Span<float> logits, Span<float> outputs)
    {
        int width = _network.OutputCount, count = features.Rows * width;
        _network.Forward(features, _workspace, _kernels).CopyTo(logits[..count]);
        logits[..count].CopyTo(outputs);
        for (int r = 0; r < features.Rows; r++) _head.Apply(outputs.Slice(r * width, width));
    }
}
