using System.Runtime.CompilerServices;
using NeuralML.Kernels;
using NeuralML.Network;

namespace NeuralML.Training;

/// <summary>
/// What the optimizers minimise: the weighted mean loss of the network over a batch of rows, with its gradient
/// (forward in training mode, loss head, backward, and the L2 penalty's gradient). It owns the network's workspace and
/// the batch buffers, so an optimizer only chooses which rows to evaluate and how to move the parameters.
/// </summary>
internal sealed partial class TrainingObjective
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
    private readonly float _l2, _l1;
    private readonly float? _clipNorm;
    private readonly float[] _dParameters;
    private readonly LossKind _loss;

    // The logits and targets of every watched row, for the validation metric; sized on first use.
    private float[] _watchedLogits = [], _watchedTargets = [];

    // The full-batch gradient being summed chunk by chunk; sized on first use.
    private float[] _chunkGradient = [];

    /// <param name="network">The network whose parameters are optimised.</param>
    /// <param name="head">The loss head on its logits.</param>
    /// <param name="kernels">The dense-layer kernels.</param>
    /// <param name="trainingSet">The rows <see cref="Evaluate"/> reads.</param>
    /// <param name="batch">Buffers for the largest batch.</param>
    /// <param name="standardizer">What standardises the rows as they are loaded.</param>
    /// <param name="standardizeTrainingBatches">Whether batches of <paramref name="trainingSet"/> need standardising (it was not standardised in place).</param>
    /// <param name="regularization">The penalties on the weights and the gradient's norm limit.</param>
    /// <param name="trainingParts">The hidden-layer parts of training mode (dropout).</param>
    public TrainingObjective(FeedForwardNetwork network, LossHead head, DenseKernels kernels, ITrainingSet trainingSet, BatchBuffers batch,
        Standardizer standardizer, bool standardizeTrainingBatches, Regularization regularization, IHiddenLayerPart[] trainingParts)
    {
        _loss = head.Kind;
        _l1 = regularization.L1;
        _clipNorm = regularization.GradientClipNorm;
        _trainingSet = trainingSet;
        _standardizeTrainingBatches = standardizeTrainingBatches;
        _network = network;
        _head = head;
        _kernels = kernels;
        _batch = batch;
        _standardizer = standardizer;
        _l2 = regularization.L2;
        _trainingParts = trainingParts;
        _workspace = new NetworkWorkspace(network, batch.Capacity);
        _dParameters = new float[network.Parameters.Length];
    }

    /// <summary>The most rows one evaluation takes.</summary>
    public int MaxRows => _batch.Capacity;

    /// <summary>The network's parameters, which the optimizer moves.</summary>
    public float[] Parameters => _network.Parameters;

    /// <summary>
    /// The gradient of the last <see cref="Evaluate"/>: ∂(Σw·L/Σw + ½λ₂‖W‖² + λ₁‖W‖₁)/∂parameters, scaled down to
    /// the clipping norm when its 2-norm is above it. After a lazy sparse step's evaluation, the first layer's weight
    /// rows are in <see cref="SparseStep"/>'s gradient instead (zeros here).
    /// </summary>
    public ReadOnlySpan<float> Gradient => _dParameters;

    /// <summary>
    /// Training mode: the loss and gradient over <paramref name="rows"/> of the training set at the current
    /// parameters (at most <see cref="MaxRows"/>). Returns Σ w·L and Σ w; a batch whose weight is zero is neither run
    /// nor differentiated, and leaves <see cref="Gradient"/> as it was.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (double LossSum, double WeightSum) Evaluate(ReadOnlySpan<int> rows)
    {
        int count = rows.Length;
        ITrainingSet set = _trainingSet;
        double weight = _batch.Load(set, rows, _standardizer, _standardizeTrainingBatches);
        if (weight <= 0) return (0, 0);
        ReadOnlySpan<float> logits = ForwardBatch(count, _trainingParts);
        double loss = _head.LossAndGradient(logits, _batch.Targets.AsSpan(0, count * _batch.TargetWidth), _batch.WeightsOf(set, count),
            _batch.DLogits, count, _network.OutputCount, (float)(1.0 / weight));
        BackwardBatch(count);
        AddPenaltyGradients();
        ClipGradient();
        return (loss, weight);
    }

    /// <summary>
    /// Training mode over any number of rows, chunk by chunk (<see cref="MaxRows"/> at a time, in the order given): the
    /// mean loss Σw·L/Σw and its gradient (with the penalties' gradients) into <see cref="Gradient"/>, summed chunk by
    /// chunk in a fixed order. Returns Σ w·L and Σ w. This is the full-batch objective of L-BFGS.
    /// </summary>
    /// <param name="rows">The rows, in the order their chunks are summed.</param>
    /// <param name="weight">Their total weight (<see cref="WeightOf"/>), which scales every chunk's gradient.</param>
    public (double LossSum, double WeightSum) EvaluateAll(ReadOnlySpan<int> rows, double weight)
    {
        if (rows.Length <= MaxRows) return Evaluate(rows);
        if (weight <= 0) return (0, 0);
        if (_chunkGradient.Length != _dParameters.Length) _chunkGradient = new float[_dParameters.Length];
        Span<float> total = _chunkGradient;
        total.Clear();
        double loss = 0;
        for (int start = 0; start < rows.Length; start += MaxRows)
        {
            int count = Math.Min(MaxRows, rows.Length - start);
            _batch.Load(_trainingSet, rows.Slice(start, count), _standardizer, _standardizeTrainingBatches);
            ReadOnlySpan<float> logits = ForwardBatch(count, _trainingParts);
            loss += _head.LossAndGradient(logits, _batch.Targets.AsSpan(0, count * _batch.TargetWidth), _batch.WeightsOf(_trainingSet, count),
                _batch.DLogits, count, _network.OutputCount, (float)(1.0 / weight));
            BackwardBatch(count);
            System.Numerics.Tensors.TensorPrimitives.Add(total, _dParameters, total);
        }
        total.CopyTo(_dParameters);
        AddPenaltyGradients();
        ClipGradient();
        return (loss, weight);
    }

    /// <summary>The total weight of <paramref name="rows"/> of the training set (their number when it has no weights).</summary>
    public double WeightOf(ReadOnlySpan<int> rows)
    {
        if (!_trainingSet.HasWeights) return rows.Length;
        double weight = 0;
        for (int start = 0; start < rows.Length; start += MaxRows)
            weight += _batch.Load(_trainingSet, rows.Slice(start, Math.Min(MaxRows, rows.Length - start)), _standardizer, standardizeFeatures: false);
        return weight;
    }

    /// <summary>The penalties' value at the current weights, ½λ₂‖W‖² + λ₁‖W‖₁, which a full-batch method adds to the mean loss.</summary>
    public double PenaltyValue()
    {
        if (_l2 == 0f && _l1 == 0f) return 0;
        double squares = 0, magnitudes = 0;
        for (int l = 0; l < _network.Layers.Count; l++)
        {
            foreach (float w in _network.Weights(l))
            {
                squares += (double)w * w;
                magnitudes += Math.Abs(w);
            }
        }
        return 0.5 * _l2 * squares + _l1 * magnitudes;
    }

    /// <summary>
    /// Evaluation mode (no training parts, no gradient): Σ w·L and Σ w over all of <paramref name="rows"/>, batch by
    /// batch, and the task's <see cref="ValidationMetric"/> of those rows.
    /// </summary>
    public (double LossSum, double WeightSum, double? Metric) Loss(ITrainingSet set, ReadOnlySpan<int> rows, bool standardizeFeatures)
    {
        int outputs = _network.OutputCount, width = _batch.TargetWidth;
        if (_watchedLogits.Length < rows.Length * outputs) _watchedLogits = new float[rows.Length * outputs];
        if (_watchedTargets.Length < rows.Length * width) _watchedTargets = new float[rows.Length * width];
        double lossSum = 0, weightSum = 0;
        for (int start = 0; start < rows.Length; start += MaxRows)
        {
            int count = Math.Min(MaxRows, rows.Length - start);
            weightSum += _batch.Load(set, rows.Slice(start, count), _standardizer, standardizeFeatures);
            ReadOnlySpan<float> logits = ForwardBatch(count, null);
            lossSum += _head.LossAndGradient(logits, _batch.Targets.AsSpan(0, count * width), _batch.WeightsOf(set, count),
                _batch.DLogits, count, outputs, 1f);
            logits[..(count * outputs)].CopyTo(_watchedLogits.AsSpan(start * outputs));
            _batch.Targets.AsSpan(0, count * width).CopyTo(_watchedTargets.AsSpan(start * width));
        }
        double? metric = ValidationMetric.Compute(_loss, _watchedLogits, _watchedTargets, rows.Length, outputs);
        return (lossSum, weightSum, metric);
    }

    /// <summary>
    /// Decoupled weight decay (Loshchilov and Hutter, as AdamW applies it): every weight times <paramref name="factor"/>,
    /// 1 − η·λ, before the optimizer's update. Biases and PReLU slopes are not decayed.
    /// </summary>
    public void ScaleWeights(float factor)
    {
        for (int l = 0; l < _network.Layers.Count; l++)
            System.Numerics.Tensors.TensorPrimitives.Multiply(_network.Weights(l), factor, _network.Weights(l));
    }

    /// <summary>
    /// λ₂·w and λ₁·sign(w) added to each weight's gradient; biases (and PReLU slopes) are not penalised: that would pull
    /// every unit's threshold to zero for no gain in smoothness.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddPenaltyGradients()
    {
        if (_l2 == 0f && _l1 == 0f) return;
        for (int l = 0; l < _network.Layers.Count; l++)
        {
            DenseLayerShape layer = _network.Layers[l];
            if (l == 0 && SparseStep is { } sparse)
            {
                AddPenaltyGradients(sparse);
                continue;
            }
            if (l == 0) _firstLayerGradientDense = true;
            Span<float> gradient = _dParameters.AsSpan(layer.WeightOffset, layer.WeightCount);
            if (_l2 != 0f) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(_network.Weights(l), _l2, gradient, gradient);
            if (_l1 != 0f) RegularizationKernels.AddL1Gradient(_network.Weights(l), gradient, _l1);
        }
    }

    /// <summary>Scales the whole gradient by c/‖g‖ when its 2-norm ‖g‖ exceeds the clipping norm c (as PyTorch's clip_grad_norm_).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ClipGradient()
    {
        if (_clipNorm is not float limit) return;
        double norm = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares<float>(_dParameters) + SparseStepSquares());
        if (norm <= limit) return;
        System.Numerics.Tensors.TensorPrimitives.Multiply(_dParameters, (float)(limit / norm), _dParameters);
        if (SparseStep is { } step) System.Numerics.Tensors.TensorPrimitives.Multiply(step.Gradient, (float)(limit / norm), step.Gradient);
    }
}
