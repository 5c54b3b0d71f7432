using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// <see cref="Standardizer.UnfoldFrom"/> undoes <see cref="Standardizer.FoldInto"/>: continued training starts from the
/// network the first run trained, seen in the standardised space again. Tolerance 1e-5 relative (+1e-6): each fold
/// rounds once per weight, and the bias sums Σ W·shift in double.
/// </summary>
public class StandardizerUnfoldTests
{
    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 6, 4 })]
    public void Unfolding_a_folded_network_gives_it_back(int[] hidden)
    {
        var random = new Xoshiro256StarStar(12);
        const int rows = 50, features = 3;
        var x = Enumerable.Range(0, rows * features).Select(i => (float)(random.NextGaussian() * (i % 3 + 1) + 10 * (i % 3))).ToArray();
        var y = Enumerable.Range(0, rows).Select(_ => (float)(100 + 20 * random.NextGaussian())).ToArray();
        var data = new InMemoryTrainingSet(x, y, null, features);
        Standardizer standardizer = Standardizer.Fit(data, new TrainingSettings { Loss = LossKind.SquaredError });
        var network = new FeedForwardNetwork(features, hidden, Activation.Tanh, 1);
        network.Initialize(random);
        for (int l = 0; l < network.Layers.Count; l++)
            foreach (ref float b in network.Biases(l)) b = (float)random.NextGaussian();
        float[] original = (float[])network.Parameters.Clone();

        standardizer.FoldInto(network);
        Assert.NotEqual(original, network.Parameters);
        standardizer.UnfoldFrom(network);

        for (int i = 0; i < original.Length; i++)
            Assert.True(Math.Abs(network.Parameters[i] - original[i]) <= 1e-5 * Math.Abs(original[i]) + 1e-6,
                $"parameter {i}: {original[i]:R} folded and unfolded is {network.Parameters[i]:R}");
    }
}
