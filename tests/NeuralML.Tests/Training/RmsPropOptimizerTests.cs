using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// Two RMSProp steps (ρ = 0.9, ε = 1e-8, η = 0.1) against values worked out by hand from the update formula
/// (tolerance 1e-6; ε moves the values below by about 2e-8).
/// </summary>
public class RmsPropOptimizerTests
{
    private const float LearningRate = 0.1f, Tolerance = 1e-6f;

    private static float[] TwoSteps(MiniBatchOptimizer optimizer, out float[] afterFirst)
    {
        float[] parameters = [1f, -2f, 0.5f, 0.25f];
        optimizer.Update(parameters, [0.5f, -1f, 2f, 0f], LearningRate);
        afterFirst = (float[])parameters.Clone();
        optimizer.Update(parameters, [1f, 0.25f, -0.5f, 0f], LearningRate);
        return parameters;
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], Tolerance);
    }

    /// <summary>
    /// Step 1: v = 0.1g₁² = (0.025, 0.1, 0.4), g/√v = √10·sign(g) = ±3.1622777, so p moves by 0.31622777:
    /// p₁ = (0.6837722, −1.6837722, 0.1837722).
    /// Step 2: v = 0.9v + 0.1g₂² = (0.1225, 0.09625, 0.385), √v = (0.35, 0.3102418, 0.6204837),
    /// g/√v = (2.8571429, 0.8058230, −0.8058230), p₂ = (0.3980580, −1.7643545, 0.2643545).
    /// A parameter whose gradient is always 0 does not move (ε keeps 0/0 away).
    /// </summary>
    [Fact]
    public void MatchesHandComputedSteps()
    {
        float[] after2 = TwoSteps(new RmsPropOptimizer(4), out float[] after1);
        AssertClose([0.6837722f, -1.6837722f, 0.1837722f, 0.25f], after1);
        AssertClose([0.3980580f, -1.7643545f, 0.2643545f, 0.25f], after2);
    }

    /// <summary>
    /// μ = 0.9, b ← μb + g/(√v + ε), p ← p − ηb. Step 1: b = (3.1622777, −3.1622777, 3.1622777), p₁ as without momentum.
    /// Step 2: b = 0.9·b + (2.8571429, 0.8058230, −0.8058230) = (5.7031928, −2.0402270, 2.0402270),
    /// p₂ = p₁ − 0.1b = (0.1134530, −1.4797495, −0.0202505).
    /// </summary>
    [Fact]
    public void WithMomentumMatchesHandComputedSteps()
    {
        float[] after2 = TwoSteps(new RmsPropOptimizer(4, momentum: 0.9f), out float[] after1);
        AssertClose([0.6837722f, -1.6837722f, 0.1837722f, 0.25f], after1);
        AssertClose([0.1134530f, -1.4797495f, -0.0202505f, 0.25f], after2);
    }

    [Fact]
    public void DefaultsAreKerasRhoAndPyTorchEpsilon()
    {
        Assert.Equal(0.9f, RmsPropOptimizer.DefaultRho);
        Assert.Equal(1e-8f, RmsPropOptimizer.DefaultEpsilon);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        Assert.Equal("parameterCount", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsPropOptimizer(-1)).ParamName);
        Assert.Equal("rho", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsPropOptimizer(3, rho: 1f)).ParamName);
        Assert.Equal("rho", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsPropOptimizer(3, rho: float.NaN)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsPropOptimizer(3, epsilon: 0f)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsPropOptimizer(3, momentum: 1f)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsPropOptimizer(3, momentum: -0.1f)).ParamName);
    }
}
