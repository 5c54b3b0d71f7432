using NeuralML.Network;

namespace NeuralML.Training;

/// <summary>
/// Sigmoid with binary cross-entropy, from the logit z: L = max(z, 0) − z·y + log(1 + e^−|z|), ∂L/∂z = σ(z) − y.
/// This form never takes the log of a rounded probability, so it stays finite for any z.
/// </summary>
internal sealed class SigmoidCrossEntropyHead : LossHead
{
    protected override double RowLossAndGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, Span<float> dLogits, float gradientScale)
    {
        double z = logits[0], y = target[0];
        double loss = Math.Max(z, 0) - z * y + Math.Log(1 + Math.Exp(-Math.Abs(z)));
        dLogits[0] = (float)(gradientScale * (OutputHeads.Sigmoid(z) - y));
        return loss;
    }

    public override OutputHead Output => OutputHead.Sigmoid;
}
