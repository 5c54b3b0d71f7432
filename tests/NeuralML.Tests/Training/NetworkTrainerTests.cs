using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Tests.Support;
using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>The training loop end to end, on problems small enough to train in milliseconds.</summary>
public class NetworkTrainerTests
{
    /// <summary>
    /// XOR needs the hidden layer: a 2-4-1 tanh network learns all four rows. Full-batch SGD with momentum 0.9 and
    /// η = 0.3 for 500 epochs converged for all 200 seeds 0..199 tried while writing this test (198 of 200 with the
    /// trainer's feature standardisation off); Adam with η = 0.05 for 300 epochs stalled in XOR's local minimum
    /// (loss ln 2 / 2, two rows at p = ½) for 8 of 200. The test keeps one seed.
    /// </summary>
    [Fact]
    public void LearnsXor()
    {
        DenseData xor = DenseData.Xor();
        var trainer = new NetworkTrainer(XorSettings(seed: 1));

        TrainingResult result = trainer.Train(xor.ToTrainingSet(), outputs: 1);
        FeedForwardNetwork network = result.Network;

        Assert.Equal([2, 4, 1], network.LayerSizes);
        float[] logits = xor.Logits(network);
        for (int r = 0; r < 4; r++)
            Assert.True((logits[r] > 0) == (xor.Targets[r] == 1f), $"XOR row {r}: logit {logits[r]}, target {xor.Targets[r]}.");
        Assert.True(result.History[^1].Loss < 0.1, $"Final loss {result.History[^1].Loss}.");
        Assert.Equal(500, result.History.Count);
    }

    private static TrainingSettings XorSettings(long seed) => new()
    {
        Loss = LossKind.BinaryCrossEntropy,
        ValidationFraction = 0, // train on every row, as before
        HiddenLayers = [4],
        Activation = Activation.Tanh,
        Optimizer = OptimizerKind.Sgd,
        Momentum = 0.9f,
        LearningRate = 0.3f,
        Epochs = 500,
        BatchSize = 4,
        Seed = seed,
    };

    [Theory]
    [InlineData(OptimizerKind.Sgd, false, 0.05f)]
    [InlineData(OptimizerKind.Sgd, true, 0.05f)]
    [InlineData(OptimizerKind.Adam, false, 0.01f)]
    public void OptimizerReducesTheLoss(OptimizerKind optimizer, bool nesterov, float learningRate)
    {
        DenseData blobs = DenseData.Blobs(rows: 64, seed: 3);
        var settings = new TrainingSettings
        {
            Loss = LossKind.BinaryCrossEntropy,
            ValidationFraction = 0, // train on every row, as before
            HiddenLayers = [8],
            Activation = Activation.Tanh,
            Optimizer = optimizer,
            LearningRate = learningRate,
            Momentum = 0.9f,
            UseNesterovMomentum = nesterov,
            Epochs = 20,
            BatchSize = 16,
            Seed = 4,
        };
        // The trainer's first draws from its generator initialise the network: the same seed gives the start.
        var untrained = new FeedForwardNetwork(2, settings.HiddenLayers!, settings.Activation, 1);
        untrained.Initialize(new Xoshiro256StarStar(settings.Seed));
        double before = blobs.MeanLoss(untrained, settings.Loss);

        FeedForwardNetwork trained = new NetworkTrainer(settings).Train(blobs.ToTrainingSet(), outputs: 1).Network;

        double after = blobs.MeanLoss(trained, settings.Loss);
        Assert.True(after < 0.5 * before, $"{optimizer} (Nesterov {nesterov}): loss {before} before, {after} after.");
    }

    private static TrainingSettings DropoutSettings(long seed) => new()
    {
        Loss = LossKind.BinaryCrossEntropy,
        ValidationFraction = 0, // train on every row, as before
        HiddenLayers = [8, 6],
        Activation = Activation.Relu,
        DropoutRate = 0.2f,
        Epochs = 5,
        BatchSize = 10,
        LearningRate = 0.01f,
        Seed = seed,
    };

    [Fact]
    public void SameSettingsAndSeedGiveBitIdenticalParametersWithDropout()
    {
        DenseData blobs = DenseData.Blobs(rows: 50, seed: 5);

        float[] first = new NetworkTrainer(DropoutSettings(seed: 6)).Train(blobs.ToTrainingSet(), 1).Network.Parameters;
        float[] second = new NetworkTrainer(DropoutSettings(seed: 6)).Train(blobs.ToTrainingSet(), 1).Network.Parameters;

        Assert.Equal(first, second); // exact float equality, element by element
    }

    [Fact]
    public void DifferentSeedsGiveDifferentParameters()
    {
        DenseData blobs = DenseData.Blobs(rows: 50, seed: 5);

        float[] first = new NetworkTrainer(DropoutSettings(seed: 6)).Train(blobs.ToTrainingSet(), 1).Network.Parameters;
        float[] second = new NetworkTrainer(DropoutSettings(seed: 7)).Train(blobs.ToTrainingSet(), 1).Network.Parameters;

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void L2ShrinksTheWeights()
    {
        DenseData blobs = DenseData.Blobs(rows: 64, seed: 8);
        var settings = new TrainingSettings
        {
            Loss = LossKind.BinaryCrossEntropy,
            ValidationFraction = 0, // train on every row, as before
            HiddenLayers = [8],
            Activation = Activation.Tanh,
            Epochs = 30,
            BatchSize = 16,
            LearningRate = 0.02f,
            Seed = 9,
        };

        FeedForwardNetwork plain = new NetworkTrainer(settings).Train(blobs.ToTrainingSet(), 1).Network;
        FeedForwardNetwork regularised = new NetworkTrainer(settings with { L2Regularization = 0.1f }).Train(blobs.ToTrainingSet(), 1).Network;

        double plainNorm = SquaredWeightNorm(plain), regularisedNorm = SquaredWeightNorm(regularised);
        Assert.True(regularisedNorm < 0.9 * plainNorm, $"Σw² with L2 {regularisedNorm}, without {plainNorm}.");
    }

    private static double SquaredWeightNorm(FeedForwardNetwork network)
    {
        double sum = 0;
        for (int l = 0; l < network.Layers.Count; l++)
            foreach (float w in network.Weights(l)) sum += (double)w * w;
        return sum;
    }

    /// <summary>
    /// y = 3x + 1000 with one input and no hidden layer: trained on standardised targets, the network's own outputs
    /// must be in the label's units once the trainer has folded the scale back into the output layer.
    /// </summary>
    [Fact]
    public void RegressionTargetsAreStandardisedAndFoldedBack()
    {
        const int rows = 64;
        var features = new float[rows];
        var targets = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            features[r] = -1f + 2f * r / (rows - 1);
            targets[r] = 3f * features[r] + 1000f;
        }
        var data = new DenseData(features, targets, null, 1);
        var settings = new TrainingSettings
        {
            Loss = LossKind.SquaredError,
            ValidationFraction = 0, // train on every row, as before
            HiddenLayers = [],
            Epochs = 200,
            BatchSize = 16,
            LearningRate = 0.05f,
            Seed = 10,
        };

        FeedForwardNetwork network = new NetworkTrainer(settings).Train(data.ToTrainingSet(), 1).Network;

        Assert.Equal(3f, network.Weights(0)[0], 0.01f);
        Assert.Equal(1000f, network.Biases(0)[0], 0.01f);
        float[] predictions = data.Logits(network);
        for (int r = 0; r < rows; r++) Assert.Equal(targets[r], predictions[r], 0.02f);
    }

    [Fact]
    public void TargetWidthMismatchIsRejected()
    {
        DenseData blobs = DenseData.Blobs(rows: 8, seed: 11);
        var trainer = new NetworkTrainer(new TrainingSettings { Loss = LossKind.CategoricalCrossEntropy, HiddenLayers = [], Epochs = 1, ValidationFraction = 0 });
        Assert.Throws<ArgumentException>(() => trainer.Train(blobs.ToTrainingSet(), outputs: 2));
    }

    [Fact]
    public void InvalidSettingsAreRejected()
    {
        var valid = new TrainingSettings { Loss = LossKind.SquaredError };
        Assert.Throws<ArgumentOutOfRangeException>(() => new NetworkTrainer(valid with { Epochs = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NetworkTrainer(valid with { LearningRate = float.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NetworkTrainer(valid with { DropoutRate = 1f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NetworkTrainer(valid with { HiddenLayers = [4, 0] }));
    }
}
