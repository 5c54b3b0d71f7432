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
        dLogits[0] = (float)(gradientScale * (Sigmoid(z) - y));
        return loss;
    }

    public override void Transform(Span<float> logits) => logits[0] = (float)Sigmoid(logits[0]);

    private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
}
