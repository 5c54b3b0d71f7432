namespace NeuralML.Network;

/// <summary>
/// A step that acts on every hidden layer's activated output while training, and is skipped in evaluation mode
/// (dropout). The network runs its parts in order after each hidden layer's dense product and activation, and
/// back-propagates through them in reverse before the activation's derivative.
/// </summary>
/// <remarks>
/// Batch normalisation is the next part: it acts between the dense product and the activation, so it will need a
/// placement before the activation (the dense product then runs without its fused activation), statistics kept for
/// evaluation mode, and its own parameters in the network's buffer.
/// </remarks>
internal interface IHiddenLayerPart
{
    /// <summary>
    /// Transforms hidden layer <paramref name="layer"/>'s output, (<paramref name="rows"/>, <paramref name="width"/>)
    /// values at the start of <paramref name="values"/>, and returns the buffer that holds the result at its start:
    /// the part's own, never <paramref name="values"/>, which backward still reads.
    /// </summary>
    float[] Forward(int layer, float[] values, int rows, int width);

    /// <summary>Turns the gradient with respect to this part's output of the last <see cref="Forward"/> of <paramref name="layer"/> into the gradient with respect to its input, in place.</summary>
    void Backward(int layer, Span<float> gradient);
}
