using System.Runtime.CompilerServices;

namespace NeuralML.Network;

/// <summary>The function that turns a row of the network's logits into its outputs: probabilities or a score.</summary>
internal enum OutputHead
{
    /// <summary>The logits are the outputs (regression).</summary>
    Identity,

    /// <summary>σ(z) = 1 / (1 + e^−z) of the one logit: the probability of the positive class.</summary>
    Sigmoid,

    /// <summary>softmax(z)_k = e^(z_k − logΣe^z): one probability per class.</summary>
    Softmax,
}

/// <summary>
/// The output heads' arithmetic, in double from the float logits, shared by prediction and by the loss heads that
/// train through them, so that both compute the same probabilities.
/// </summary>
internal static class OutputHeads
{
    /// <summary>Replaces one row of logits by the head's outputs.</summary>
    // Scoring calls these once per row: fully optimised from the first call, not after a batch's worth of slow ones.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(this OutputHead head, Span<float> logits)
    {
        switch (head)
        {
            case OutputHead.Identity:
                break;
            case OutputHead.Sigmoid:
                logits[0] = (float)Sigmoid(logits[0]);
                break;
            case OutputHead.Softmax:
                double logSumExp = LogSumExp(logits);
                for (int k = 0; k < logits.Length; k++) logits[k] = (float)Math.Exp(logits[k] - logSumExp);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(head), head, "Unknown output head.");
        }
    }

    /// <summary>σ(z), in the form that never overflows: 1/(1 + e^−z) for z ≥ 0 and e^z/(1 + e^z) below.</summary>
    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    /// <summary>logΣe^z, with the maximum subtracted first so that no exponential overflows.</summary>
    public static double LogSumExp(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity;
        foreach (float z in logits) max = Math.Max(max, z);
        double sum = 0;
        foreach (float z in logits) sum += Math.Exp(z - max);
        return max + Math.Log(sum);
    }
}
