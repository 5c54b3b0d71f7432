namespace NeuralML.Training;

/// <summary>
/// What a lazy optimizer step of a sparse batch needs (<see cref="MiniBatchOptimizer"/>): which rows of the first
/// layer's weights the batch touched, where they lie in the parameter buffer, and where the densely updated
/// parameters (the first layer's biases and every later layer) begin.
/// </summary>
internal sealed class SparseStep(SparseBatch batch, int firstLayerOffset, int firstLayerOutputs, int denseStart)
{
    /// <summary>The first layer's weight rows (input features) the last batch holds a value of, increasing.</summary>
    public ReadOnlySpan<int> Rows => batch.Columns.Columns;

    /// <summary>
    /// (Rows, FirstLayerOutputs): the gradient of those rows, row i for weight row <see cref="Rows"/>[i]. The first
    /// layer's weight gradient lives here alone: the objective's full gradient holds zeros there.
    /// </summary>
    public Span<float> Gradient => RowGradients.AsSpan(0, batch.Columns.Count * FirstLayerOutputs);

    /// <summary>The buffer of <see cref="Gradient"/>, grown to the largest batch.</summary>
    internal float[] RowGradients { get; set; } = [];

    public int FirstLayerOffset { get; } = firstLayerOffset;

    public int FirstLayerOutputs { get; } = firstLayerOutputs;

    public int DenseStart { get; } = denseStart;
}
