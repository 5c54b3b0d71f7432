using System.Runtime.CompilerServices;
using NeuralML.Network;

namespace NeuralML.Training;

/// <summary>
/// Sigmoid with binary cross-entropy, from the logit z: L = max(z, 0) − z·y + log(1 + e^−|z|), ∂L/∂z = σ(z) − y.
/// This form never takes the log of a rounded probability, so it stays finite for any z.
/// </summary>
/// With label smoothing ε the target y becomes y(1 − ε) + ε/2.
internal sealed class SigmoidCrossEntropyHead(float labelSmoothing = 0f) : LossHead
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override double RowLossAndGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, Span<float> dLogits, float gradientScale)
    {
        double z = logits[0], y = labelSmoothing == 0f ? target[0] : target[0] * (1.0 - labelSmoothing) + labelSmoothing / 2.0;
        double loss = Math.Max(z, 0) - z * y + Math.Log(1 + Math.Exp(-Math.Abs(z)));
        dLogits[0] = (float)(gradientScale * (OutputHeads.Sigmoid(z) - y));
        return loss;
    }

    public override OutputHead Output => OutputHead.Sigmoid;
}
