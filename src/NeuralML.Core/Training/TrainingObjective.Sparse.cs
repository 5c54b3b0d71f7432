using System.Runtime.CompilerServices;
using NeuralML.Kernels;
using NeuralML.Network;

namespace NeuralML.Training;

/// <summary>
/// Batches of a sparse training set: the first layer runs on the sparse kernels, and its weight gradient has rows only
/// for the features the batch holds. For a lazy step (<see cref="SparseStep"/>) they go to a buffer of their own;
/// otherwise (L-BFGS) into <see cref="Gradient"/>, whose other first-layer rows are kept at zero (the rows the
/// previous batch wrote are cleared first), so that it is the true gradient whichever rows a batch touches.
/// </summary>
internal sealed partial class TrainingObjective
{
    private int[] _touched = [];
    private int _touchedCount;
    private SparseStep? _sparseStep;

    // Set when the first layer's whole weight gradient was written (a dense batch or a dense penalty), so that the
    // next sparse batch clears it all rather than only the rows it wrote last.
    private bool _firstLayerGradientDense;

    /// <summary>
    /// Whether a mini-batch optimizer updates only the first-layer weight rows a sparse batch touches
    /// (<see cref="MiniBatchOptimizer"/>'s lazy step); then the L1 and L2 penalties are applied to those rows only, too.
    /// </summary>
    public bool LazySparseUpdates { get; init; }

    /// <summary>The rows the last <see cref="Evaluate"/> touched, when its batch was sparse and updates are lazy; else null.</summary>
    public SparseStep? SparseStep => LazySparseUpdates && _batch.LoadedSparse ? _sparseStep ??= CreateSparseStep() : null;

    private SparseStep CreateSparseStep()
    {
        DenseLayerShape first = _network.Layers[0];
        return new SparseStep(_batch.Sparse!, first.WeightOffset, first.Outputs, first.BiasOffset);
    }

    private ReadOnlySpan<float> ForwardBatch(int count, IHiddenLayerPart[]? parts) => _batch.LoadedSparse
        ? _network.Forward(_batch.Sparse!.Rows, _workspace, _kernels, parts)
        : _network.Forward(_batch.Features, count, _workspace, _kernels, parts);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BackwardBatch(int count)
    {
        if (!_batch.LoadedSparse)
        {
            _network.Backward(_batch.Features, count, _batch.DLogits, _dParameters, _workspace, _kernels);
            _firstLayerGradientDense = true;
            return;
        }
        SparseBatch batch = _batch.Sparse!;
        batch.Transpose();
        DenseLayerShape first = _network.Layers[0];
        if (SparseStep is { } step)
        {
            // The lazy step reads the touched rows' gradient from a buffer of their own: the first layer's part of the
            // full gradient is never written (nor, untouched, even paged in).
            int size = batch.Columns.Count * first.Outputs;
            if (step.RowGradients.Length < size) step.RowGradients = new float[Math.Max(size, 2 * step.RowGradients.Length)];
            _network.Backward(batch.Columns, count, _batch.DLogits, _dParameters, _workspace, _kernels, step.Gradient);
            return;
        }
        Span<float> dWeights = _dParameters.AsSpan(first.WeightOffset, first.WeightCount);
        if (_firstLayerGradientDense) dWeights.Clear();
        else
            foreach (int row in _touched.AsSpan(0, _touchedCount)) dWeights.Slice(row * first.Outputs, first.Outputs).Clear();
        _firstLayerGradientDense = false;
        _network.Backward(batch.Columns, count, _batch.DLogits, _dParameters, _workspace, _kernels);
        ReadOnlySpan<int> touched = batch.Columns.Columns;
        if (_touched.Length < touched.Length) _touched = new int[Math.Max(touched.Length, 2 * _touched.Length)];
        touched.CopyTo(_touched);
        _touchedCount = touched.Length;
    }

    /// <summary>The penalties' gradients on the first layer's touched rows only (the lazy step leaves the others alone).</summary>
    private void AddPenaltyGradients(SparseStep sparse)
    {
        int width = sparse.FirstLayerOutputs;
        ReadOnlySpan<int> rows = sparse.Rows;
        for (int i = 0; i < rows.Length; i++)
        {
            ReadOnlySpan<float> weights = _network.Parameters.AsSpan(sparse.FirstLayerOffset + rows[i] * width, width);
            Span<float> gradient = sparse.Gradient.Slice(i * width, width);
            if (_l2 != 0f) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(weights, _l2, gradient, gradient);
            if (_l1 != 0f) RegularizationKernels.AddL1Gradient(weights, gradient, _l1);
        }
    }

    /// <summary>The squares of the touched rows' gradient of a lazy step (0 otherwise), which the full gradient does not hold.</summary>
    private double SparseStepSquares() => SparseStep is { } step ? System.Numerics.Tensors.TensorPrimitives.SumOfSquares<float>(step.Gradient) : 0;

    /// <summary><see cref="ScaleWeights(float)"/> for a lazy step: the first layer's touched rows and every later layer.</summary>
    public void ScaleWeights(float factor, SparseStep sparse)
    {
        int width = sparse.FirstLayerOutputs;
        foreach (int row in sparse.Rows)
        {
            Span<float> weights = _network.Parameters.AsSpan(sparse.FirstLayerOffset + row * width, width);
            System.Numerics.Tensors.TensorPrimitives.Multiply(weights, factor, weights);
        }
        for (int l = 1; l < _network.Layers.Count; l++)
            System.Numerics.Tensors.TensorPrimitives.Multiply(_network.Weights(l), factor, _network.Weights(l));
    }
}
