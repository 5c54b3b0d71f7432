using NeuralML.Training;

namespace NeuralML.Tests.Training.Schedules;

/// <summary>
/// <see cref="CosineAnnealing"/> with η₀ = 0.1, T = 110 steps, W = 10 warm-up steps and ηmin = 0.001, against values
/// worked out by hand: warm-up η = 0.1·(step + 1)/10; then η = 0.001 + 0.0495·(1 + cos(π·(step − 10)/100)).
/// </summary>
public class CosineAnnealingTests
{
    private static CosineAnnealing Schedule() => new(0.1, totalSteps: 110, warmupSteps: 10, minimumRate: 0.001);

    /// <summary>Step 0 at η₀/W = 0.01 (never 0), step 4 at 0.05, the last warm-up step (9) at η₀.</summary>
    [Theory]
    [InlineData(0, 0.01)]
    [InlineData(4, 0.05)]
    [InlineData(9, 0.1)]
    public void WarmsUpLinearly(long step, double expected) => RateAssert.Close(expected, Schedule().RateAt(1, step), $"step {step}");

    /// <summary>
    /// Step 10 at η₀ (cos 0 = 1); step 35 (a quarter) at 0.001 + 0.0495·(1 + √½) = 0.0855017857; step 60 (half way) at
    /// 0.001 + 0.0495 = 0.0505; the last step, 109, at 0.001 + 0.0495·(1 + cos(0.99π)) = 0.001 + 0.0495·0.000493447
    /// = 0.0010244253, one step above the floor.
    /// </summary>
    [Theory]
    [InlineData(10, 0.1)]
    [InlineData(35, 0.0855017857)]
    [InlineData(60, 0.0505)]
    [InlineData(109, 0.0010244253)]
    public void FollowsTheHalfCosineAfterTheWarmUp(long step, double expected) => RateAssert.Close(expected, Schedule().RateAt(1, step), $"step {step}");

    [Theory]
    [InlineData(110)]
    [InlineData(1_000_000)]
    public void StaysAtTheMinimumPastTheEnd(long step) => RateAssert.Close(0.001, Schedule().RateAt(1, step), $"step {step}");

    [Fact]
    public void WithoutWarmUpItStartsAtTheInitialRate()
    {
        var schedule = new CosineAnnealing(0.1, totalSteps: 100, warmupSteps: 0);
        RateAssert.Close(0.1, schedule.RateAt(1, 0), "step 0");
        RateAssert.Close(0.05, schedule.RateAt(1, 50), "step 50");
        Assert.Equal(0f, schedule.RateAt(1, 100));
    }

    [Fact]
    public void AWarmUpAsLongAsTheRunNeverReachesTheCosine()
    {
        var schedule = new CosineAnnealing(0.1, totalSteps: 4, warmupSteps: 4, minimumRate: 0.01);
        RateAssert.Close(0.025, schedule.RateAt(1, 0), "step 0");
        RateAssert.Close(0.1, schedule.RateAt(1, 3), "step 3");
        RateAssert.Close(0.01, schedule.RateAt(1, 4), "step 4");
    }

    [Fact]
    public void RejectsBadArguments()
    {
        RateAssert.Rejects("initialRate", () => new CosineAnnealing(0, 10, 0));
        RateAssert.Rejects("totalSteps", () => new CosineAnnealing(0.1, 0, 0));
        RateAssert.Rejects("warmupSteps", () => new CosineAnnealing(0.1, 10, -1));
        RateAssert.Rejects("warmupSteps", () => new CosineAnnealing(0.1, 10, 11));
        RateAssert.Rejects("minimumRate", () => new CosineAnnealing(0.1, 10, 0, -0.01));
        RateAssert.Rejects("minimumRate", () => new CosineAnnealing(0.1, 10, 0, 0.2));
        RateAssert.Rejects("step", () => Schedule().RateAt(1, -1));
    }
}
