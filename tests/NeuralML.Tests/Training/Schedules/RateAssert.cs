namespace NeuralML.Tests.Training.Schedules;

/// <summary>
/// Compares a schedule's rate with its closed form to 1e-6 relative. A schedule computes in double and rounds once to
/// float (relative error at most 2⁻²⁴ ≈ 6e-8), so 1e-6 leaves room for that rounding and for the last bits of
/// Math.Pow and Math.Cos, while every case tested is chosen so that an off-by-one epoch or step, or the wrong curve,
/// moves the rate by far more.
/// </summary>
internal static class RateAssert
{
    public const double RelativeTolerance = 1e-6;

    public static void Close(double expected, float actual, string where)
        => Assert.True(Math.Abs(actual - expected) <= RelativeTolerance * Math.Abs(expected),
            $"{where}: expected {expected:R}, got {actual:R}.");

    /// <summary>The constructor throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="parameter"/>.</summary>
    public static void Rejects(string parameter, Action create)
        => Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(create).ParamName);
}
