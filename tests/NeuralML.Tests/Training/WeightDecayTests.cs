using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// Decoupled weight decay, as every mini-batch optimizer applies it: the gradient is taken at the current weights,
/// then the weights (not the biases) are multiplied by 1 − η·λ, then the optimizer's own update follows. AdamW is
/// Adam with it.
/// </summary>
public class WeightDecayTests
{
    private const float Rate = 0.05f, Decay = 0.2f;

    private static (TrainingObjective Objective, FeedForwardNetwork Network, int[] Rows) Problem()
    {
        var random = new Xoshiro256StarStar(4);
        const int rows = 10, features = 3;
        var x = Enumerable.Range(0, rows * features).Select(_ => (float)random.NextGaussian()).ToArray();
        var y = Enumerable.Range(0, rows).Select(i => (float)(i % 2)).ToArray();
        var data = new InMemoryTrainingSet(x, y, null, features);
        var network = new FeedForwardNetwork(features, [4], Activation.Tanh, 1);
        network.Initialize(random);
        for (int l = 0; l < network.Layers.Count; l++)
            foreach (ref float b in network.Biases(l)) b = (float)(0.2 * random.NextDouble() - 0.1);
        var settings = new TrainingSettings { Loss = LossKind.BinaryCrossEntropy, StandardizeFeatures = false };
        var objective = new TrainingObjective(network, LossHead.Create(LossKind.BinaryCrossEntropy), DenseKernels.Default, data,
            new BatchBuffers(rows, features, 1, 1, weighted: false), Standardizer.Fit(data, settings), false, Regularization.None, []);
        return (objective, network, Enumerable.Range(0, rows).ToArray());
    }

    private static bool IsWeight(FeedForwardNetwork network, int index)
        => network.Layers.Any(l => index >= l.WeightOffset && index < l.WeightOffset + l.WeightCount);

    /// <summary>SGD without momentum: w ← w(1 − ηλ) − ηg, b ← b − ηg, with g taken before the decay, exactly in float.</summary>
    [Fact]
    public void Sgd_decays_the_weights_then_steps_along_the_gradient_taken_before()
    {
        (TrainingObjective objective, FeedForwardNetwork network, int[] rows) = Problem();
        float[] start = (float[])network.Parameters.Clone();
        objective.Evaluate(rows);
        float[] gradient = objective.Gradient.ToArray();
        var sgd = new SgdOptimizer(start.Length, momentum: 0f, nesterov: false) { WeightDecay = Decay };

        sgd.Step(objective, rows, Rate);

        float factor = 1f - Rate * Decay;
        for (int i = 0; i < start.Length; i++)
        {
            float expected = (IsWeight(network, i) ? start[i] * factor : start[i]) - Rate * gradient[i];
            Assert.Equal(expected, network.Parameters[i]);
        }
    }

    /// <summary>
    /// AdamW's first step by hand: after the decay, Adam's first step moves each parameter by η·g/(|g| + ε)
    /// (m̂ = g, v̂ = g²). Tolerance 1e-6: the kernel computes m̂ and √v̂ through the bias corrections in float.
    /// </summary>
    [Fact]
    public void AdamW_is_Adam_after_the_decay()
    {
        (TrainingObjective objective, FeedForwardNetwork network, int[] rows) = Problem();
        float[] start = (float[])network.Parameters.Clone();
        objective.Evaluate(rows);
        float[] gradient = objective.Gradient.ToArray();
        var settings = new TrainingSettings { Loss = LossKind.BinaryCrossEntropy, Optimizer = OptimizerKind.AdamW, WeightDecay = Decay };
        var adamW = (AdamOptimizer)Optimizers.Create(settings, start.Length, threads: 1);
        Assert.Equal(Decay, adamW.WeightDecay);

        adamW.Step(objective, rows, Rate);

        for (int i = 0; i < start.Length; i++)
        {
            double decayed = IsWeight(network, i) ? start[i] * (1 - (double)Rate * Decay) : start[i];
            double expected = decayed - Rate * gradient[i] / (Math.Abs((double)gradient[i]) + AdamOptimizer.Epsilon);
            Assert.Equal(expected, network.Parameters[i], 1e-6);
        }
    }

    [Fact]
    public void Without_decay_the_weights_are_left_to_the_update()
    {
        (TrainingObjective first, FeedForwardNetwork a, int[] rows) = Problem();
        (TrainingObjective second, FeedForwardNetwork b, _) = Problem();
        new AdamOptimizer(a.Parameters.Length).Step(first, rows, Rate);
        new AdamOptimizer(b.Parameters.Length) { WeightDecay = 0f }.Step(second, rows, Rate);
        Assert.Equal(a.Parameters, b.Parameters);
    }
}
