using System.Runtime.CompilerServices;
using NeuralML.Network;

namespace NeuralML.Training;

/// <summary>
/// Softmax with cross-entropy through log-softmax: log p_k = z_k − logΣe^z (with the maximum subtracted first),
/// L = −Σ t_k log p_k, ∂L/∂z_k = p_k·Σt − t_k. Sparse targets are a class index per row (t is one-hot). With label
/// smoothing ε over K classes, t becomes (1 − ε)t + ε/K (the probability vectors of dense targets are taken to sum to 1).
/// </summary>
internal sealed class SoftmaxCrossEntropyHead(bool sparseTargets, float labelSmoothing = 0f) : LossHead
{
    public override int TargetWidth(int outputs) => sparseTargets ? 1 : outputs;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override double RowLossAndGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, Span<float> dLogits, float gradientScale)
    {
        double logSumExp = OutputHeads.LogSumExp(logits);
        if (sparseTargets)
        {
            int label = (int)target[0];
            if ((uint)label >= (uint)logits.Length)
                throw new ArgumentOutOfRangeException(nameof(target), target[0], $"Class index must be in [0, {logits.Length}).");
            if (labelSmoothing == 0f)
            {
                for (int k = 0; k < logits.Length; k++)
                {
                    double p = Math.Exp(logits[k] - logSumExp);
                    dLogits[k] = (float)(gradientScale * (k == label ? p - 1 : p));
                }
                return logSumExp - logits[label];
            }
            double spread = (double)labelSmoothing / logits.Length, smoothedLoss = 0;
            for (int k = 0; k < logits.Length; k++)
            {
                double t = (k == label ? 1.0 - labelSmoothing : 0.0) + spread;
                smoothedLoss += t * (logSumExp - logits[k]);
                dLogits[k] = (float)(gradientScale * (Math.Exp(logits[k] - logSumExp) - t));
            }
            return smoothedLoss;
        }

        double targetSum = 0, loss = 0;
        double keep = 1.0 - labelSmoothing, share = (double)labelSmoothing / logits.Length;
        for (int k = 0; k < logits.Length; k++)
        {
            double t = labelSmoothing == 0f ? target[k] : keep * target[k] + share;
            targetSum += t;
            loss -= t * (logits[k] - logSumExp);
        }
        for (int k = 0; k < logits.Length; k++)
        {
            double t = labelSmoothing == 0f ? target[k] : keep * target[k] + share;
            dLogits[k] = (float)(gradientScale * (Math.Exp(logits[k] - logSumExp) * targetSum - t));
        }
        return loss;
    }

    public override OutputHead Output => OutputHead.Softmax;
}
