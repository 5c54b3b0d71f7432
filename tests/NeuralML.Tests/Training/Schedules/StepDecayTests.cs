using NeuralML.Training;

namespace NeuralML.Tests.Training.Schedules;

/// <summary><see cref="StepDecay"/>: η = η₀·γ^⌊(epoch − 1)/k⌋, checked against values worked out by hand.</summary>
public class StepDecayTests
{
    /// <summary>η₀ = 0.1, γ = 0.5, k = 3: epochs 1–3 at 0.1, 4–6 at 0.05, 7–9 at 0.025, 10 at 0.0125.</summary>
    [Theory]
    [InlineData(1, 0.1)]
    [InlineData(3, 0.1)]
    [InlineData(4, 0.05)]
    [InlineData(6, 0.05)]
    [InlineData(7, 0.025)]
    [InlineData(10, 0.0125)]
    public void DropsByTheFactorEveryKEpochs(int epoch, double expected)
    {
        var schedule = new StepDecay(0.1, 0.5, 3);
        RateAssert.Close(expected, schedule.RateAt(epoch, 0), $"epoch {epoch}");
        // Constant within an epoch: the step does not matter.
        Assert.Equal(schedule.RateAt(epoch, 0), schedule.RateAt(epoch, 12_345));
    }

    /// <summary>k = 1, γ = 0.9: PyTorch's StepLR(step_size=1), epoch 11 at 0.1·0.9¹⁰ = 0.03486784401.</summary>
    [Fact]
    public void WithKOfOneItDecaysEveryEpoch()
        => RateAssert.Close(0.03486784401, new StepDecay(0.1, 0.9, 1).RateAt(11, 0), "epoch 11");

    [Fact]
    public void RejectsBadArguments()
    {
        RateAssert.Rejects("initialRate", () => new StepDecay(0, 0.5, 3));
        RateAssert.Rejects("initialRate", () => new StepDecay(double.NaN, 0.5, 3));
        RateAssert.Rejects("initialRate", () => new StepDecay(double.PositiveInfinity, 0.5, 3));
        RateAssert.Rejects("decayRate", () => new StepDecay(0.1, 0, 3));
        RateAssert.Rejects("decayRate", () => new StepDecay(0.1, 1.5, 3));
        RateAssert.Rejects("decayEpochs", () => new StepDecay(0.1, 0.5, 0));
        RateAssert.Rejects("epoch", () => new StepDecay(0.1, 0.5, 3).RateAt(0, 0));
    }
}
