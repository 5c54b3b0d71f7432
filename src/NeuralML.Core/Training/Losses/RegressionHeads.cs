using System.Runtime.CompilerServices;
using NeuralML.Network;

namespace NeuralML.Training;

/// <summary>Identity output with squared error, L = (z − y)², ∂L/∂z = 2(z − y).</summary>
internal sealed class SquaredErrorHead : LossHead
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override double RowLossAndGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, Span<float> dLogits, float gradientScale)
    {
        double d = (double)logits[0] - target[0];
        dLogits[0] = (float)(gradientScale * 2 * d);
        return d * d;
    }

    public override OutputHead Output => OutputHead.Identity;
}

/// <summary>Identity output with absolute error, L = |z − y|, ∂L/∂z = sign(z − y) (0 at 0).</summary>
internal sealed class AbsoluteErrorHead : LossHead
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override double RowLossAndGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, Span<float> dLogits, float gradientScale)
    {
        double d = (double)logits[0] - target[0];
        dLogits[0] = gradientScale * Math.Sign(d);
        return Math.Abs(d);
    }

    public override OutputHead Output => OutputHead.Identity;
}

/// <summary>Identity output with the Huber loss, δ = 1: ½d² for |d| ≤ δ, δ(|d| − ½δ) beyond; d = z − y.</summary>
internal sealed class HuberHead : LossHead
{
    public const double Delta = 1.0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override double RowLossAndGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, Span<float> dLogits, float gradientScale)
    {
        double d = (double)logits[0] - target[0];
        if (Math.Abs(d) <= Delta)
        {
            dLogits[0] = (float)(gradientScale * d);
            return 0.5 * d * d;
        }
        dLogits[0] = (float)(gradientScale * Delta * Math.Sign(d));
        return Delta * (Math.Abs(d) - 0.5 * Delta);
    }

    public override OutputHead Output => OutputHead.Identity;
}
