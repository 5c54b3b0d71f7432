using NeuralML.Kernels;

namespace NeuralML.Training;

/// <summary>Updates the whole parameter buffer from its gradient in one pass.</summary>
internal abstract class Optimizer
{
    public abstract void Step(Span<float> parameters, ReadOnlySpan<float> gradients);

    public static Optimizer Create(OptimizerKind kind, int parameterCount, float learningRate, float momentum, bool nesterov, int threads = 1) => kind switch
    {
        OptimizerKind.Sgd => new SgdOptimizer(parameterCount, learningRate, momentum, nesterov),
        OptimizerKind.Adam => new AdamOptimizer(parameterCount, learningRate, threads),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown optimizer."),
    };
}

/// <summary>
/// SGD with momentum μ: v ← μv + g, then p ← p − η·v, or with Nesterov p ← p − η(g + μv).
/// With μ = 0 this is plain SGD, p ← p − ηg.
/// </summary>
internal sealed class SgdOptimizer : Optimizer
{
    private readonly float[] _velocity;
    private readonly float _learningRate, _momentum;
    private readonly bool _nesterov;

    public SgdOptimizer(int parameterCount, float learningRate, float momentum, bool nesterov)
    {
        _velocity = new float[parameterCount];
        _learningRate = learningRate;
        _momentum = momentum;
        _nesterov = nesterov;
    }

    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
        => OptimizerKernels.Sgd(parameters, gradients, _velocity, _learningRate, _momentum, _nesterov);
}

/// <summary>
/// Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − η·m̂/(√v̂ + ε), with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
/// β₁ = 0.9, β₂ = 0.999, ε = 1e-8, as in the paper and in PyTorch.
/// </summary>
internal sealed class AdamOptimizer : Optimizer
{
    public const float Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f;
    private readonly float[] _m, _v;
    private readonly float _learningRate;
    private int _step;

    private readonly int _threads;

    public AdamOptimizer(int parameterCount, float learningRate, int threads = 1)
    {
        _threads = threads;
        _m = new float[parameterCount];
        _v = new float[parameterCount];
        _learningRate = learningRate;
    }

    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        _step++;
        float correction1 = 1f - MathF.Pow(Beta1, _step);
        float correction2 = 1f - MathF.Pow(Beta2, _step);
        float stepSize = _learningRate / correction1;
        float rootCorrection2 = MathF.Sqrt(correction2);
        OptimizerKernels.AdamParallel(parameters, gradients, _m, _v, stepSize, Beta1, Beta2, Epsilon, rootCorrection2, _threads);
    }
}
