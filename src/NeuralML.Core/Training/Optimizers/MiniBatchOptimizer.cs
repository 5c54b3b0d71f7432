using System.Runtime.CompilerServices;

namespace NeuralML.Training;

/// <summary>
/// A first-order method: one gradient evaluation per batch, then one update of every parameter. With
/// <see cref="WeightDecay"/> λ, the weights are first multiplied by 1 − η·λ (decoupled weight decay, as AdamW and
/// PyTorch's <c>AdamW</c> apply it: after the gradient is taken, before the update).
/// </summary>
internal abstract class MiniBatchOptimizer : IOptimizer
{
    /// <summary>Decoupled weight decay λ on the weights (not the biases); 0 for none.</summary>
    public float WeightDecay { get; init; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (double LossSum, double WeightSum) Step(TrainingObjective objective, ReadOnlySpan<int> rows, float learningRate)
    {
        (double loss, double weight) = objective.Evaluate(rows);
        if (weight > 0)
        {
            if (objective.SparseStep is { } sparse)
            {
                LazyStep(objective, sparse, learningRate);
                return (loss, weight);
            }
            if (WeightDecay > 0f) objective.ScaleWeights(1f - learningRate * WeightDecay);
            Update(objective.Parameters, objective.Gradient, learningRate);
        }
        return (loss, weight);
    }

    /// <summary>Moves <paramref name="parameters"/> along <paramref name="gradients"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        BeginStep();
        UpdateRange(parameters, gradients, 0, learningRate);
    }

    /// <summary>
    /// The lazy step of a sparse batch (as PyTorch's SparseAdam and TensorFlow's LazyAdam): the first layer's weight rows
    /// of features the batch does not hold are left as they are (no update, no decay, no change to their optimizer
    /// state); every other parameter steps as in <see cref="Update"/>. Each element gets the arithmetic it would get in
    /// a full update, so only which rows move differs.
    /// </summary>
    private void LazyStep(TrainingObjective objective, SparseStep sparse, float learningRate)
    {
        if (WeightDecay > 0f) objective.ScaleWeights(1f - learningRate * WeightDecay, sparse);
        BeginStep();
        Span<float> parameters = objective.Parameters;
        ReadOnlySpan<float> gradients = objective.Gradient;
        int width = sparse.FirstLayerOutputs;
        ReadOnlySpan<int> rows = sparse.Rows;
        ReadOnlySpan<float> rowGradients = sparse.Gradient;
        for (int i = 0; i < rows.Length; i++) UpdateRange(parameters, rowGradients.Slice(i * width, width), sparse.FirstLayerOffset + rows[i] * width, learningRate);
        UpdateRange(parameters, gradients[sparse.DenseStart..], sparse.DenseStart, learningRate);
    }

    /// <summary>Starts a step: whatever every parameter's update shares (Adam's step count and bias corrections).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected virtual void BeginStep()
    {
    }

    /// <summary>Moves parameters [start, start + gradients.Length) along <paramref name="gradients"/>, with their own optimizer state.</summary>
    protected abstract void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, int start, float learningRate);
}

/// <summary>
/// SGD with momentum μ: v ← μv + g, then p ← p − η·v, or with Nesterov p ← p − η(g + μv).
/// With μ = 0 this is plain SGD, p ← p − ηg.
/// </summary>
internal sealed class SgdOptimizer(int parameterCount, float momentum, bool nesterov, int threads = 1) : MiniBatchOptimizer
{
    private readonly float[] _velocity = new float[parameterCount];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, int start, float learningRate)
        => Kernels.OptimizerKernels.Sgd(parameters.Slice(start, gradients.Length), gradients, _velocity.AsSpan(start, gradients.Length), learningRate, momentum, nesterov, threads);
}

/// <summary>
/// Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − η·m̂/(√v̂ + ε), with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
/// β₁ = 0.9, β₂ = 0.999, ε = 1e-8, as in the paper and in PyTorch.
/// </summary>
internal sealed class AdamOptimizer(int parameterCount, int threads = 1) : MiniBatchOptimizer
{
    public const float Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f;
    private readonly float[] _m = new float[parameterCount], _v = new float[parameterCount];
    private int _step;
    private float _correction1, _correction2;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void BeginStep()
    {
        _step++;
        _correction1 = 1f - MathF.Pow(Beta1, _step);
        _correction2 = 1f - MathF.Pow(Beta2, _step);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, int start, float learningRate)
        => Kernels.OptimizerKernels.Adam(parameters.Slice(start, gradients.Length), gradients, _m.AsSpan(start, gradients.Length), _v.AsSpan(start, gradients.Length),
            learningRate / _correction1, Beta1, Beta2, Epsilon, MathF.Sqrt(_correction2), threads);
}
