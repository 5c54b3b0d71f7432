using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Tests.Support;
using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// Per-example weights through a full-batch gradient: a row of weight 2 counts as that row twice, a row of weight 0
/// as no row. (Training with an extra row would change the shuffle, so this is checked on one batch.)
/// </summary>
public class ExampleWeightTests
{
    public static TheoryData<string> Losses() => new(Enum.GetNames<LossKind>());

    /// <summary>Forward, loss head with scale 1/Σw, backward into a zeroed buffer: the trainer's step before L2 and the optimizer.</summary>
    private static (double Loss, float[] Gradient) FullBatch(FeedForwardNetwork network, LossKind loss, DenseData data)
    {
        var workspace = new NetworkWorkspace(network, data.Rows);
        ReadOnlySpan<float> logits = network.Forward(data.Features, data.Rows, workspace, DenseKernels.Default);
        var dLogits = new float[data.Rows * network.OutputCount];
        float scale = (float)(1.0 / (data.Weights?.Sum() ?? data.Rows));
        double total = LossHead.Create(loss).LossAndGradient(logits, data.Targets, data.Weights ?? [], dLogits, data.Rows, network.OutputCount, scale);
        var dParameters = new float[network.Parameters.Length];
        network.Backward(data.Features, data.Rows, dLogits, dParameters, workspace, DenseKernels.Default);
        return (total * scale, dParameters);
    }

    private static (FeedForwardNetwork Network, DenseData Data) Problem(LossKind loss)
    {
        int outputs = LossTargets.Outputs(loss);
        var network = new FeedForwardNetwork(3, [5], Activation.Tanh, outputs);
        network.Initialize(new Xoshiro256StarStar(41));
        var random = new Xoshiro256StarStar(42);
        var features = new float[4 * 3];
        for (int i = 0; i < features.Length; i++) features[i] = (float)random.NextGaussian();
        var data = new DenseData(features, [], null, 3);
        float[] targets = LossTargets.AwayFromKinks(loss, data.Logits(network), 4, outputs, random);
        return (network, data with { Targets = targets, TargetWidth = targets.Length / 4 });
    }

    private static DenseData SelectRows(DenseData data, int[] rows, float[]? weights)
    {
        int width = data.TargetWidth, features = data.FeatureCount;
        return data with
        {
            Features = rows.SelectMany(r => data.Features[(r * features)..((r + 1) * features)]).ToArray(),
            Targets = rows.SelectMany(r => data.Targets[(r * width)..((r + 1) * width)]).ToArray(),
            Weights = weights,
        };
    }

    /// <summary>
    /// Rows (a, b, c, d) with weights (2, 1, 1, 1) against rows (a, a, b, c, d) unweighted: the same mean loss and the
    /// same gradient. Float sums in another order, so the gradients agree to 1e-6 relative (plus 1e-7), not bit for bit.
    /// </summary>
    [Theory]
    [MemberData(nameof(Losses))]
    public void WeightTwoEqualsADuplicatedRow(string lossName)
    {
        LossKind loss = Enum.Parse<LossKind>(lossName);
        (FeedForwardNetwork network, DenseData data) = Problem(loss);

        (double weightedLoss, float[] weighted) = FullBatch(network, loss, SelectRows(data, [0, 1, 2, 3], [2f, 1f, 1f, 1f]));
        (double duplicatedLoss, float[] duplicated) = FullBatch(network, loss, SelectRows(data, [0, 0, 1, 2, 3], null));

        Assert.Equal(duplicatedLoss, weightedLoss, 1e-6 * Math.Abs(duplicatedLoss));
        for (int i = 0; i < weighted.Length; i++)
            Assert.Equal(duplicated[i], weighted[i], 1e-6f * Math.Abs(duplicated[i]) + 1e-7f);
    }

    /// <summary>Rows (a, b, c, d) with weights (1, 0, 1, 1) against rows (a, c, d): row b has no effect.</summary>
    [Theory]
    [MemberData(nameof(Losses))]
    public void WeightZeroEqualsAMissingRow(string lossName)
    {
        LossKind loss = Enum.Parse<LossKind>(lossName);
        (FeedForwardNetwork network, DenseData data) = Problem(loss);

        (double weightedLoss, float[] weighted) = FullBatch(network, loss, SelectRows(data, [0, 1, 2, 3], [1f, 0f, 1f, 1f]));
        (double missingLoss, float[] missing) = FullBatch(network, loss, SelectRows(data, [0, 2, 3], null));

        Assert.Equal(missingLoss, weightedLoss, 1e-6 * Math.Abs(missingLoss));
        for (int i = 0; i < weighted.Length; i++)
            Assert.Equal(missing[i], weighted[i], 1e-6f * Math.Abs(missing[i]) + 1e-7f);
    }
}
