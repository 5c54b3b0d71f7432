using NeuralML.Kernels;

namespace NeuralML.Network;

/// <summary>
/// Scores rows in evaluation mode: the forward pass, then the output head on each row. The one way prediction turns
/// features into logits and outputs, for a single row and for a batch alike; one instance per thread, since it owns
/// its workspace. A row's result depends only on its features, not on the other rows of its batch.
/// </summary>
internal sealed partial class NetworkScorer
{
    private readonly FeedForwardNetwork _network;
    private readonly OutputHead _head;
    private readonly DenseKernels _kernels;
    private readonly NetworkWorkspace _workspace;

    public NetworkScorer(FeedForwardNetwork network, OutputHead head, DenseKernels kernels, int maxRows)
    {
        _network = network;
        _head = head;
        _kernels = kernels;
        _workspace = NetworkWorkspace.ForInference(network, maxRows);
    }

    public int MaxRows => _workspace.MaxRows;

    /// <summary>
    /// Scores <paramref name="rows"/> rows of <paramref name="features"/> (rows, inputs) into <paramref name="logits"/>
    /// and <paramref name="outputs"/> (rows, outputs each): the raw network outputs and the head's probabilities or scores.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Score(ReadOnlySpan<float> features, int rows, Span<float> logits, Span<float> outputs)
    {
        int width = _network.OutputCount, count = rows * width;
        _network.Forward(features, rows, _workspace, _kernels).CopyTo(logits[..count]);
        logits[..count].CopyTo(outputs);
        for (int r = 0; r < rows; r++) _head.Apply(outputs.Slice(r * width, width));
    }
}
