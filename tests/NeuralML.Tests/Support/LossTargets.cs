using NeuralML.Numerics;
using NeuralML.Training;

namespace NeuralML.Tests.Support;

/// <summary>Targets for each loss head, chosen so that a small perturbation of the logits never crosses a kink of the loss.</summary>
internal static class LossTargets
{
    /// <summary>
    /// Binary: 0, 1 or a soft 0.25. Sparse: a class index. Categorical: a random probability vector. Squared error: the
    /// logit plus N(0, 1). Absolute error: |z − y| in [0.3, 1]. Huber: |z − y| in [0.2, 0.7] (quadratic side) or
    /// [1.3, 2] (linear side), so never near 0 or δ = 1.
    /// </summary>
    public static float[] AwayFromKinks(LossKind loss, ReadOnlySpan<float> logits, int rows, int outputs, Xoshiro256StarStar random)
    {
        int width = LossHead.Create(loss).TargetWidth(outputs);
        var targets = new float[rows * width];
        for (int i = 0; i < rows; i++)
        {
            double sign = random.NextInt(2) == 0 ? -1 : 1;
            switch (loss)
            {
                case LossKind.BinaryCrossEntropy:
                    targets[i] = i % 3 == 2 ? 0.25f : random.NextInt(2);
                    break;
                case LossKind.SparseCategoricalCrossEntropy:
                    targets[i] = random.NextInt(outputs);
                    break;
                case LossKind.CategoricalCrossEntropy:
                    double sum = 0;
                    for (int k = 0; k < outputs; k++) sum += targets[i * outputs + k] = (float)(0.05 + random.NextDouble());
                    for (int k = 0; k < outputs; k++) targets[i * outputs + k] = (float)(targets[i * outputs + k] / sum);
                    break;
                case LossKind.SquaredError:
                    targets[i] = (float)(logits[i] + random.NextGaussian());
                    break;
                case LossKind.AbsoluteError:
                    targets[i] = (float)(logits[i] + sign * (0.3 + 0.7 * random.NextDouble()));
                    break;
                case LossKind.Huber:
                    double distance = i % 2 == 0 ? 0.2 + 0.5 * random.NextDouble() : 1.3 + 0.7 * random.NextDouble();
                    targets[i] = (float)(logits[i] + sign * distance);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(loss), loss, null);
            }
        }
        return targets;
    }

    public static int Outputs(LossKind loss) =>
        loss is LossKind.SparseCategoricalCrossEntropy or LossKind.CategoricalCrossEntropy ? 3 : 1;
}
