using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>Two optimizer steps against values worked out by hand from the update formulas (tolerance 1e-6).</summary>
public class OptimizerTests
{
    private const float LearningRate = 0.1f, Momentum = 0.9f, Tolerance = 1e-6f;

    private static readonly float[] Start = [1f, -2f, 0.5f];
    private static readonly float[] Gradient1 = [0.5f, -1f, 2f];
    private static readonly float[] Gradient2 = [1f, 0.25f, -0.5f];

    private static float[] TwoSteps(MiniBatchOptimizer optimizer, float[] start, float[] gradient1, float[] gradient2, out float[] afterFirst)
    {
        float[] parameters = (float[])start.Clone();
        optimizer.Update(parameters, gradient1, LearningRate);
        afterFirst = (float[])parameters.Clone();
        optimizer.Update(parameters, gradient2, LearningRate);
        return parameters;
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], Tolerance);
    }

    /// <summary>μ = 0: p ← p − ηg. p₁ = p₀ − 0.1·g₁ = (0.95, −1.9, 0.3); p₂ = p₁ − 0.1·g₂ = (0.85, −1.925, 0.35).</summary>
    [Fact]
    public void PlainSgdMatchesHandComputedSteps()
    {
        var sgd = new SgdOptimizer(3, momentum: 0f, nesterov: false);
        float[] after2 = TwoSteps(sgd, Start, Gradient1, Gradient2, out float[] after1);
        AssertClose([0.95f, -1.9f, 0.3f], after1);
        AssertClose([0.85f, -1.925f, 0.35f], after2);
    }

    /// <summary>
    /// v ← μv + g, p ← p − ηv. v₁ = g₁, p₁ = (0.95, −1.9, 0.3);
    /// v₂ = 0.9·(0.5, −1, 2) + (1, 0.25, −0.5) = (1.45, −0.65, 1.3), p₂ = p₁ − 0.1·v₂ = (0.805, −1.835, 0.17).
    /// </summary>
    [Fact]
    public void MomentumSgdMatchesHandComputedSteps()
    {
        var sgd = new SgdOptimizer(3, Momentum, nesterov: false);
        float[] after2 = TwoSteps(sgd, Start, Gradient1, Gradient2, out float[] after1);
        AssertClose([0.95f, -1.9f, 0.3f], after1);
        AssertClose([0.805f, -1.835f, 0.17f], after2);
    }

    /// <summary>
    /// v ← μv + g, p ← p − η(g + μv). v₁ = g₁, p₁ = p₀ − 0.1·1.9·g₁ = (0.905, −1.81, 0.12);
    /// v₂ = (1.45, −0.65, 1.3), g₂ + 0.9·v₂ = (2.305, −0.335, 0.67), p₂ = (0.6745, −1.7765, 0.053).
    /// </summary>
    [Fact]
    public void NesterovSgdMatchesHandComputedSteps()
    {
        var sgd = new SgdOptimizer(3, Momentum, nesterov: true);
        float[] after2 = TwoSteps(sgd, Start, Gradient1, Gradient2, out float[] after1);
        AssertClose([0.905f, -1.81f, 0.12f], after1);
        AssertClose([0.6745f, -1.7765f, 0.053f], after2);
    }

    /// <summary>
    /// Adam, η = 0.1. Step 1: m = 0.1g₁, v = 0.001g₁², so m̂ = g₁, v̂ = g₁² and p moves by η·sign(g): (0.9, −1.9, 0.4).
    /// Step 2, first value: m = 0.09·0.5 + 0.1·1 = 0.145, v = 0.000999·0.25 + 0.001·1 = 0.00124975,
    /// m̂ = 0.145/0.19 = 0.7631579, v̂ = 0.00124975/0.001999 = 0.6251876, p = 0.9 − 0.1·0.7631579/0.7906880 = 0.8034818.
    /// Second value: m = −0.065, v = 0.0010615, p = −1.9 + 0.1·0.3421053/0.7287083 = −1.8530532; the third mirrors it
    /// (m = 0.13 = −2·(−0.065), v = 4·0.0010615): p = 0.4 − 0.0469468 = 0.3530532.
    /// A parameter whose gradient is always 0 does not move (ε keeps 0/0 away).
    /// </summary>
    [Fact]
    public void AdamMatchesHandComputedSteps()
    {
        var adam = new AdamOptimizer(4);
        float[] after2 = TwoSteps(adam, [.. Start, 0.25f], [.. Gradient1, 0f], [.. Gradient2, 0f], out float[] after1);
        AssertClose([0.9f, -1.9f, 0.4f, 0.25f], after1);
        AssertClose([0.8034818f, -1.8530532f, 0.3530532f, 0.25f], after2);
    }

    [Fact]
    public void CreateBuildsTheRequestedOptimizer()
    {
        var settings = new TrainingSettings { Loss = LossKind.SquaredError };
        Assert.IsType<SgdOptimizer>(Optimizers.Create(settings with { Optimizer = OptimizerKind.Sgd, UseNesterovMomentum = true }, 3, threads: 1));
        Assert.IsType<AdamOptimizer>(Optimizers.Create(settings with { Optimizer = OptimizerKind.Adam }, 3, threads: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Create(settings with { Optimizer = (OptimizerKind)99 }, 3, threads: 1));
    }
}
