using NeuralML.Kernels;
using NeuralML.Network;

namespace NeuralML.Training;

/// <summary>
/// What the optimizers minimise: the weighted mean loss of the network over a batch of rows, with its gradient
/// (forward in training mode, loss head, backward, and the L2 penalty's gradient). It owns the network's workspace and
/// the batch buffers, so an optimizer only chooses which rows to evaluate and how to move the parameters.
/// </summary>
internal sealed class TrainingObjective
{
    private readonly FeedForwardNetwork _network;
    private readonly LossHead _head;
    private readonly DenseKernels _kernels;
    private readonly NetworkWorkspace _workspace;
    private readonly BatchBuffers _batch;
    private readonly Standardizer _standardizer;
    private readonly ITrainingSet _trainingSet;
    private readonly bool _standardizeTrainingBatches;
    private readonly IHiddenLayerPart[] _trainingParts;
    private readonly float _l2;
    private readonly float[] _dParameters;

    /// <param name="network">The network whose parameters are optimised.</param>
    /// <param name="head">The loss head on its logits.</param>
    /// <param name="kernels">The dense-layer kernels.</param>
    /// <param name="trainingSet">The rows <see cref="Evaluate"/> reads.</param>
    /// <param name="batch">Buffers for the largest batch.</param>
    /// <param name="standardizer">What standardises the rows as they are loaded.</param>
    /// <param name="standardizeTrainingBatches">Whether batches of <paramref name="trainingSet"/> need standardising (it was not standardised in place).</param>
    /// <param name="l2Regularization">λ of the L2 penalty on the weights.</param>
    /// <param name="trainingParts">The hidden-layer parts of training mode (dropout).</param>
    public TrainingObjective(FeedForwardNetwork network, LossHead head, DenseKernels kernels, ITrainingSet trainingSet, BatchBuffers batch,
        Standardizer standardizer, bool standardizeTrainingBatches, float l2Regularization, IHiddenLayerPart[] trainingParts)
    {
        _trainingSet = trainingSet;
        _standardizeTrainingBatches = standardizeTrainingBatches;
        _network = network;
        _head = head;
        _kernels = kernels;
        _batch = batch;
        _standardizer = standardizer;
        _l2 = l2Regularization;
        _trainingParts = trainingParts;
        _workspace = new NetworkWorkspace(network, batch.Capacity);
        _dParameters = new float[network.Parameters.Length];
    }

    /// <summary>The most rows one evaluation takes.</summary>
    public int MaxRows => _batch.Capacity;

    /// <summary>The network's parameters, which the optimizer moves.</summary>
    public float[] Parameters => _network.Parameters;

    /// <summary>The gradient of the last <see cref="Evaluate"/>: ∂(Σw·L/Σw + ½λ‖W‖²)/∂parameters.</summary>
    public ReadOnlySpan<float> Gradient => _dParameters;

    /// <summary>
    /// Training mode: the loss and gradient over <paramref name="rows"/> of the training set at the current
    /// parameters (at most <see cref="MaxRows"/>). Returns Σ w·L and Σ w; a batch whose weight is zero is neither run
    /// nor differentiated, and leaves <see cref="Gradient"/> as it was.
    /// </summary>
    public (double LossSum, double WeightSum) Evaluate(ReadOnlySpan<int> rows)
    {
        int count = rows.Length;
        ITrainingSet set = _trainingSet;
        double weight = _batch.Load(set, rows, _standardizer, _standardizeTrainingBatches);
        if (weight <= 0) return (0, 0);
        ReadOnlySpan<float> logits = _network.Forward(_batch.Features, count, _workspace, _kernels, _trainingParts);
        double loss = _head.LossAndGradient(logits, _batch.Targets.AsSpan(0, count * _batch.TargetWidth), _batch.WeightsOf(set, count),
            _batch.DLogits, count, _network.OutputCount, (float)(1.0 / weight));
        _network.Backward(_batch.Features, count, _batch.DLogits, _dParameters, _workspace, _kernels);
        AddL2Gradient();
        return (loss, weight);
    }

    /// <summary>Evaluation mode (no training parts, no gradient): Σ w·L and Σ w over all of <paramref name="rows"/>, batch by batch.</summary>
    public (double LossSum, double WeightSum) Loss(ITrainingSet set, ReadOnlySpan<int> rows, bool standardizeFeatures)
    {
        double lossSum = 0, weightSum = 0;
        for (int start = 0; start < rows.Length; start += MaxRows)
        {
            int count = Math.Min(MaxRows, rows.Length - start);
            weightSum += _batch.Load(set, rows.Slice(start, count), _standardizer, standardizeFeatures);
            ReadOnlySpan<float> logits = _network.Forward(_batch.Features, count, _workspace, _kernels);
            lossSum += _head.LossAndGradient(logits, _batch.Targets.AsSpan(0, count * _batch.TargetWidth), _batch.WeightsOf(set, count),
                _batch.DLogits, count, _network.OutputCount, 1f);
        }
        return (lossSum, weightSum);
    }

    /// <summary>λ·w added to each weight's gradient; biases are not penalised (that would pull every unit's threshold to zero for no gain in smoothness).</summary>
    private void AddL2Gradient()
    {
        if (_l2 == 0f) return;
        for (int l = 0; l < _network.Layers.Count; l++)
        {
            DenseLayerShape layer = _network.Layers[l];
            Span<float> gradient = _dParameters.AsSpan(layer.WeightOffset, layer.WeightCount);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(_network.Weights(l), _l2, gradient, gradient);
        }
    }
}
