namespace NeuralML.Training;

/// <summary>The argument checks the schedules share, each throwing <see cref="ArgumentOutOfRangeException"/> with the argument's name.</summary>
internal static class ScheduleArguments
{
    public static void PositiveFinite(double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number.");
    }

    /// <summary>0 &lt; value &lt; 1 (a multiplier that must lower the rate), or ≤ 1 when <paramref name="allowOne"/>.</summary>
    public static void Fraction(double value, string name, bool allowOne)
    {
        if (!(value > 0 && (allowOne ? value <= 1 : value < 1)))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in (0, {(allowOne ? "1]" : "1)")}.");
    }

    /// <summary>A floor on the rate: 0 ≤ value ≤ the rate it floors.</summary>
    public static void Minimum(double value, double rate, string name)
    {
        if (!(value >= 0 && value <= rate)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, {rate}].");
    }
}
