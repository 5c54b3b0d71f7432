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

    public (double LossSum, double WeightSum) Step(TrainingObjective objective, ReadOnlySpan<int> rows, float learningRate)
    {
        (double loss, double weight) = objective.Evaluate(rows);
        if (weight > 0)
        {
            if (WeightDecay > 0f) objective.ScaleWeights(1f - learningRate * WeightDecay);
            Update(objective.Parameters, objective.Gradient, learningRate);
        }
        return (loss, weight);
    }

    /// <summary>Moves <paramref name="parameters"/> along <paramref name="gradients"/>.</summary>
    public abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate);
}

/// <summary>
/// SGD with momentum μ: v ← μv + g, then p ← p − η·v, or with Nesterov p ← p − η(g + μv).
/// With μ = 0 this is plain SGD, p ← p − ηg.
/// </summary>
internal sealed class SgdOptimizer(int parameterCount, float momentum, bool nesterov, int threads = 1) : MiniBatchOptimizer
{
    private readonly float[] _velocity = new float[parameterCount];

    public override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
        => Kernels.OptimizerKernels.Sgd(parameters, gradients, _velocity, learningRate, momentum, nesterov, threads);
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

    public override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        _step++;
        float correction1 = 1f - MathF.Pow(Beta1, _step);
        float correction2 = 1f - MathF.Pow(Beta2, _step);
        Kernels.OptimizerKernels.Adam(parameters, gradients, _m, _v, learningRate / correction1, Beta1, Beta2, Epsilon, MathF.Sqrt(correction2), threads);
    }
}
