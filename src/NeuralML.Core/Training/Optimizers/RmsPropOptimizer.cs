using System.Runtime.CompilerServices;

namespace NeuralML.Training;

/// <summary>
/// RMSProp (Hinton, lecture 6e): v ← ρv + (1−ρ)g², p ← p − η·g/(√v + ε); with momentum μ > 0, b ← μb + g/(√v + ε) and
/// p ← p − η·b. No bias correction (v starts at 0, so the first step moves each parameter by about η/√(1−ρ)), as in both
/// PyTorch and Keras.
/// <para>
/// Defaults: ρ = 0.9, Hinton's and Keras' value (PyTorch's alpha is 0.99); 0.9 forgets in about ten steps, so the
/// scale follows the gradient as a schedule or a new region changes it. ε = 1e-8, added outside the root as in PyTorch
/// and in <see cref="AdamOptimizer"/>: Keras' 1e-7 sits inside the root, √(v + ε), where it bounds the step far
/// more (√1e-7 ≈ 3e-4), so its value does not carry over to this placement. With these choices the update is PyTorch's
/// <c>RMSprop(alpha=0.9, eps=1e-8, momentum=μ, centered=False)</c>.
/// </para>
/// </summary>
internal sealed class RmsPropOptimizer : MiniBatchOptimizer
{
    public const float DefaultRho = 0.9f, DefaultEpsilon = 1e-8f;
    private readonly float[] _meanSquare, _momentumBuffer;
    private readonly float _rho, _epsilon, _momentum;
    private readonly int _threads;

    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="parameterCount"/> is negative, <paramref name="rho"/> or <paramref name="momentum"/> is outside
    /// [0, 1), or <paramref name="epsilon"/> is not a positive finite number.
    /// </exception>
    public RmsPropOptimizer(int parameterCount, float rho = DefaultRho, float epsilon = DefaultEpsilon, float momentum = 0f, int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        if (!(rho >= 0f && rho < 1f)) throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be in [0, 1).");
        if (!(epsilon > 0f) || !float.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be a positive finite number.");
        if (!(momentum >= 0f && momentum < 1f)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1).");
        _meanSquare = new float[parameterCount];
        // Without momentum the kernel never reads the buffer, so it is not allocated.
        _momentumBuffer = momentum != 0f ? new float[parameterCount] : [];
        (_rho, _epsilon, _momentum, _threads) = (rho, epsilon, momentum, threads);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, int start, float learningRate)
        => Kernels.OptimizerKernels.RmsProp(parameters.Slice(start, gradients.Length), gradients, _meanSquare.AsSpan(start, gradients.Length),
            _momentumBuffer.Length == 0 ? [] : _momentumBuffer.AsSpan(start, gradients.Length), learningRate, _rho, _epsilon, _momentum, _threads);
}
