using NeuralML.Network;

namespace NeuralML.Training;

/// <summary>
/// Softmax with cross-entropy through log-softmax: log p_k = z_k − logΣe^z (with the maximum subtracted first),
/// L = −Σ t_k log p_k, ∂L/∂z_k = p_k·Σt − t_k. Sparse targets are a class index per row (t is one-hot).
/// </summary>
internal sealed class SoftmaxCrossEntropyHead(bool sparseTargets) : LossHead
{
    public override int TargetWidth(int outputs) => sparseTargets ? 1 : outputs;

    protected override double RowLossAndGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, Span<float> dLogits, float gradientScale)
    {
        double logSumExp = OutputHeads.LogSumExp(logits);
        if (sparseTargets)
        {
            int label = (int)target[0];
            if ((uint)label >= (uint)logits.Length)
                throw new ArgumentOutOfRangeException(nameof(target), target[0], $"Class index must be in [0, {logits.Length}).");
            for (int k = 0; k < logits.Length; k++)
            {
                double p = Math.Exp(logits[k] - logSumExp);
                dLogits[k] = (float)(gradientScale * (k == label ? p - 1 : p));
            }
            return logSumExp - logits[label];
        }

        double targetSum = 0, loss = 0;
        for (int k = 0; k < logits.Length; k++)
        {
            targetSum += target[k];
            loss -= target[k] * (logits[k] - logSumExp);
        }
        for (int k = 0; k < logits.Length; k++)
            dLogits[k] = (float)(gradientScale * (Math.Exp(logits[k] - logSumExp) * targetSum - target[k]));
        return loss;
    }

    public override OutputHead Output => OutputHead.Softmax;
}
