using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Training;

namespace NeuralML.Tests.Support;

/// <summary>A small dense data set for training tests, with helpers to evaluate a network on it.</summary>
internal sealed record DenseData(float[] Features, float[] Targets, float[]? Weights, int FeatureCount, int TargetWidth = 1)
{
    public int Rows => Features.Length / FeatureCount;

    public InMemoryTrainingSet ToTrainingSet() => new(Features, Targets, Weights, FeatureCount, TargetWidth);

    /// <summary>The four rows of XOR, targets 0 or 1.</summary>
    public static DenseData Xor() => new([0f, 0f, 0f, 1f, 1f, 0f, 1f, 1f], [0f, 1f, 1f, 0f], null, 2);

    /// <summary>Two Gaussian blobs in two dimensions, centred at ±(1, 1) with σ = 0.7: mostly, not perfectly, separable.</summary>
    public static DenseData Blobs(int rows, int seed)
    {
        var random = new Xoshiro256StarStar(seed);
        var features = new float[rows * 2];
        var targets = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            int label = r % 2;
            double centre = label == 1 ? 1 : -1;
            features[2 * r] = (float)(centre + 0.7 * random.NextGaussian());
            features[2 * r + 1] = (float)(centre + 0.7 * random.NextGaussian());
            targets[r] = label;
        }
        return new DenseData(features, targets, null, 2);
    }

    /// <summary>The network's logits for every row, (rows, outputs), in evaluation mode.</summary>
    public float[] Logits(FeedForwardNetwork network)
    {
        var workspace = new NetworkWorkspace(network, Rows);
        return network.Forward(Features, Rows, workspace, DenseKernels.Default).ToArray();
    }

    /// <summary>The weighted mean loss of the network on every row, in evaluation mode.</summary>
    public double MeanLoss(FeedForwardNetwork network, LossKind loss)
    {
        float[] logits = Logits(network);
        var dLogits = new float[logits.Length];
        double total = LossHead.Create(loss).LossAndGradient(logits, Targets, Weights ?? [], dLogits, Rows, network.OutputCount, 1f);
        return total / (Weights?.Sum() ?? Rows);
    }
}
