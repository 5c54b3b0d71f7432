using NeuralML.Training;

namespace NeuralML.Tests.Training.Schedules;

/// <summary>
/// <see cref="OneCycle"/> against values worked out by hand from PyTorch's OneCycleLR (cos, two phases). With ηmax = 1,
/// divFactor 25 and finalDivFactor 1e4: η₀ = 0.04 and ηmin = 0.04/1e4 = 4e-6; anneal(a, b, x) = b + ½(a − b)(1 + cos πx).
/// </summary>
public class OneCycleTests
{
    /// <summary>
    /// T = 100, pctStart 0.25: the up phase ends at w = 0.25·100 − 1 = 24, the down phase runs over 99 − 24 = 75 steps.
    /// <list type="bullet">
    /// <item>step 0: x = 0, η = 0.04;</item>
    /// <item>step 8: x = 1/3, cos(π/3) = ½: η = 1 + ½(0.04 − 1)(1.5) = 1 − 0.72 = 0.28 (a linear ramp would give 0.36);</item>
    /// <item>step 12: x = ½: η = 1 − 0.48 = 0.52;</item>
    /// <item>step 24: x = 1: η = 1;</item>
    /// <item>step 49: x = 25/75 = 1/3: η = 4e-6 + ½(1 − 4e-6)(1.5) = 0.750001;</item>
    /// <item>step 74: x = 2/3, cos = −½: η = 4e-6 + ½(1 − 4e-6)(0.5) = 0.250003;</item>
    /// <item>step 99, the last: x = 1, η = 4e-6; after it, 4e-6 (PyTorch would extrapolate step 100 to 4.43e-4, then raise).</item>
    /// </list>
    /// </summary>
    [Theory]
    [InlineData(0, 0.04)]
    [InlineData(8, 0.28)]
    [InlineData(12, 0.52)]
    [InlineData(24, 1.0)]
    [InlineData(49, 0.750001)]
    [InlineData(74, 0.250003)]
    [InlineData(99, 4e-6)]
    [InlineData(100, 4e-6)]
    [InlineData(5_000, 4e-6)]
    public void FollowsPyTorchWithAWholePhaseBoundary(long step, double expected)
        => RateAssert.Close(expected, new OneCycle(1.0, 100, pctStart: 0.25).RateAt(1, step), $"step {step}");

    /// <summary>
    /// T = 12 with the defaults (pctStart 0.3): w = 0.3·12 − 1 = 2.6 (2.5999999999999996 in double), not rounded, so
    /// steps 0–2 go up and step 3 is already on the way down.
    /// <list type="bullet">
    /// <item>step 1: x = 1/2.6 = 0.384615, cos(0.384615π) = 0.354605: η = 1 − 0.48·1.354605 = 0.349790;</item>
    /// <item>step 2: x = 2/2.6 = 0.769231, cos = −0.748511: η = 1 − 0.48·0.251489 = 0.879285;</item>
    /// <item>step 3: x = (3 − 2.6)/(11 − 2.6) = 0.047619, cos(0.047619π) = 0.988831: η = 4e-6 + ½(1 − 4e-6)(1.988831) = 0.994415
    /// (rounding w to 3 would give 1, to 2 would give 0.97);</item>
    /// <item>step 11: η = 4e-6.</item>
    /// </list>
    /// </summary>
    [Theory]
    [InlineData(0, 0.04)]
    [InlineData(1, 0.3497897)]
    [InlineData(2, 0.8792852)]
    [InlineData(3, 0.9944154)]
    [InlineData(11, 4e-6)]
    public void KeepsPyTorchsFractionalPhaseBoundary(long step, double expected)
        => RateAssert.Close(expected, new OneCycle(1.0, 12).RateAt(1, step), $"step {step}");

    /// <summary>Rates scale with ηmax: ηmax = 0.01 gives one hundredth of the values above.</summary>
    [Fact]
    public void ScalesWithTheMaximumRate()
    {
        var schedule = new OneCycle(0.01, 100, pctStart: 0.25);
        RateAssert.Close(0.0004, schedule.RateAt(1, 0), "step 0");
        RateAssert.Close(0.0028, schedule.RateAt(1, 8), "step 8");
        RateAssert.Close(4e-8, schedule.RateAt(1, 99), "step 99");
    }

    /// <summary>
    /// T = 10, pctStart 0.1: w = 0, where PyTorch divides 0 by 0; here step 0 is the end of the up phase, ηmax, and step
    /// 1 is x = 1/9 down: η = 4e-6 + ½(1 − 4e-6)(1 + cos(π/9)) = 0.969846.
    /// pctStart 0: w = −1, no step goes up, and step 0 is x = 1/10 down: η = 4e-6 + ½(1 − 4e-6)(1 + cos(0.1π)) = 0.975528.
    /// </summary>
    [Fact]
    public void HandlesAnUpPhaseOfOneStepOrNone()
    {
        RateAssert.Close(1.0, new OneCycle(1.0, 10, pctStart: 0.1).RateAt(1, 0), "w = 0, step 0");
        RateAssert.Close(0.9698464, new OneCycle(1.0, 10, pctStart: 0.1).RateAt(1, 1), "w = 0, step 1");
        RateAssert.Close(0.9755284, new OneCycle(1.0, 10, pctStart: 0).RateAt(1, 0), "pctStart 0, step 0");
    }

    [Fact]
    public void RejectsBadArguments()
    {
        RateAssert.Rejects("maximumRate", () => new OneCycle(0, 10));
        RateAssert.Rejects("totalSteps", () => new OneCycle(1, 0));
        RateAssert.Rejects("pctStart", () => new OneCycle(1, 10, pctStart: -0.1));
        RateAssert.Rejects("pctStart", () => new OneCycle(1, 10, pctStart: 1.1));
        RateAssert.Rejects("divFactor", () => new OneCycle(1, 10, divFactor: 0));
        RateAssert.Rejects("finalDivFactor", () => new OneCycle(1, 10, finalDivFactor: double.NaN));
        RateAssert.Rejects("step", () => new OneCycle(1, 10).RateAt(1, -1));
    }
}
