using System.Runtime.CompilerServices;
using NeuralML.Network;

namespace NeuralML.Training;

/// <summary>
/// An output head fused with its loss: it reads the network's logits, and computes the loss and its gradient with
/// respect to the logits in one numerically stable step (from logits, never from rounded probabilities).
/// </summary>
internal abstract class LossHead
{
    /// <summary>The loss this head computes.</summary>
    public LossKind Kind { get; private set; }

    /// <summary>How many target values each row carries, given the number of logits per row.</summary>
    public virtual int TargetWidth(int outputs) => 1;

    /// <summary>
    /// For each row i with weight w_i (1 when <paramref name="weights"/> is empty), writes
    /// dLogits_i = scale·w_i·∂L_i/∂z_i and returns Σ w_i·L_i, accumulated in double.
    /// </summary>
    /// <param name="logits">(rows, outputs)</param>
    /// <param name="targets">(rows, <see cref="TargetWidth"/>)</param>
    /// <param name="weights">(rows) or empty</param>
    /// <param name="dLogits">(rows, outputs), overwritten</param>
    /// <param name="rows">rows in the batch</param>
    /// <param name="outputs">logits per row</param>
    /// <param name="scale">the factor on every gradient, usually 1/Σw so that the batch loss is a weighted mean</param>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public double LossAndGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights,
        Span<float> dLogits, int rows, int outputs, float scale)
    {
        int targetWidth = TargetWidth(outputs);
        double total = 0;
        for (int i = 0; i < rows; i++)
        {
            float w = weights.IsEmpty ? 1f : weights[i];
            double loss = RowLossAndGradient(logits.Slice(i * outputs, outputs), targets.Slice(i * targetWidth, targetWidth),
                dLogits.Slice(i * outputs, outputs), scale * w);
            total += w * loss;
        }
        return total;
    }

    /// <summary>Loss of one row; writes gradientScale·∂L/∂z into <paramref name="dLogits"/>.</summary>
    protected abstract double RowLossAndGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, Span<float> dLogits, float gradientScale);

    /// <summary>The output head this loss trains through: what turns logits into the model's probabilities or score.</summary>
    public abstract OutputHead Output { get; }

    /// <param name="kind">The loss.</param>
    /// <param name="labelSmoothing">
    /// ε in [0, 1) for the classification losses: the targets become (1 − ε)·onehot + ε/K over the K classes (K = 2
    /// for the binary loss, whose target y becomes y(1 − ε) + ε/2), as Keras and PyTorch smooth them.
    /// </param>
    public static LossHead Create(LossKind kind, float labelSmoothing = 0f)
    {
        if (!(labelSmoothing >= 0f && labelSmoothing < 1f)) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must be in [0, 1).");
        if (labelSmoothing > 0f && kind is not (LossKind.BinaryCrossEntropy or LossKind.SparseCategoricalCrossEntropy or LossKind.CategoricalCrossEntropy))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing applies to the classification losses only.");
        LossHead head = kind switch
        {
            LossKind.BinaryCrossEntropy => new SigmoidCrossEntropyHead(labelSmoothing),
            LossKind.SparseCategoricalCrossEntropy => new SoftmaxCrossEntropyHead(sparseTargets: true, labelSmoothing),
            LossKind.CategoricalCrossEntropy => new SoftmaxCrossEntropyHead(sparseTargets: false, labelSmoothing),
            LossKind.SquaredError => new SquaredErrorHead(),
            LossKind.AbsoluteError => new AbsoluteErrorHead(),
            LossKind.Huber => new HuberHead(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown loss."),
        };
        head.Kind = kind;
        return head;
    }
}

/// <summary>The loss a network is trained with; each one fixes the output head.</summary>
internal enum LossKind
{
    /// <summary>Sigmoid output, binary cross-entropy computed from the logit. Targets 0 or 1.</summary>
    BinaryCrossEntropy,

    /// <summary>Softmax output, cross-entropy through log-softmax. Targets are class indices.</summary>
    SparseCategoricalCrossEntropy,

    /// <summary>Softmax output, cross-entropy through log-softmax. Targets are probability vectors (one-hot or soft).</summary>
    CategoricalCrossEntropy,

    /// <summary>Identity output, (z − y)².</summary>
    SquaredError,

    /// <summary>Identity output, |z − y|.</summary>
    AbsoluteError,

    /// <summary>Identity output, ½d² for |d| ≤ 1 and |d| − ½ beyond, d = z − y.</summary>
    Huber,
}
