using NeuralML.Training;

namespace NeuralML.Tests.Training.Schedules;

/// <summary><see cref="ExponentialDecay"/>: η = η₀·γ^((epoch − 1)/k), checked against values worked out by hand.</summary>
public class ExponentialDecayTests
{
    /// <summary>
    /// η₀ = 0.1, γ = 0.5, k = 2: epoch 1 at 0.1, epoch 2 at 0.1·√0.5 = 0.0707106781, epoch 3 at 0.05,
    /// epoch 4 at 0.05·√0.5 = 0.0353553391, epoch 21 at 0.1·0.5¹⁰ = 0.1/1024 = 9.765625e-5.
    /// </summary>
    [Theory]
    [InlineData(1, 0.1)]
    [InlineData(2, 0.0707106781)]
    [InlineData(3, 0.05)]
    [InlineData(4, 0.0353553391)]
    [InlineData(21, 9.765625e-5)]
    public void DecaysSmoothlyFromEpochToEpoch(int epoch, double expected)
    {
        var schedule = new ExponentialDecay(0.1, 0.5, 2);
        RateAssert.Close(expected, schedule.RateAt(epoch, 0), $"epoch {epoch}");
        Assert.Equal(schedule.RateAt(epoch, 0), schedule.RateAt(epoch, 999));
    }

    [Fact]
    public void RejectsBadArguments()
    {
        RateAssert.Rejects("initialRate", () => new ExponentialDecay(-0.1, 0.5, 2));
        RateAssert.Rejects("decayRate", () => new ExponentialDecay(0.1, double.NaN, 2));
        RateAssert.Rejects("decayRate", () => new ExponentialDecay(0.1, 1.01, 2));
        RateAssert.Rejects("decayEpochs", () => new ExponentialDecay(0.1, 0.5, -1));
        RateAssert.Rejects("epoch", () => new ExponentialDecay(0.1, 0.5, 2).RateAt(0, 0));
    }
}
