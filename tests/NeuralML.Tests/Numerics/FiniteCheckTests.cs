using NeuralML.Numerics;

namespace NeuralML.Tests.Numerics;

/// <summary><see cref="FiniteCheck"/> against the scalar loop, over odd lengths, with NaN, +∞ and −∞ at every position (vector bodies and tails).</summary>
public class FiniteCheckTests
{
    private static int Scalar(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(33)]
    [InlineData(100)]
    public void Finds_the_first_non_finite_value_as_the_scalar_loop_does(int length)
    {
        var random = new Random(length);
        float[] values = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2e30 - 1e30)).ToArray();
        values = [.. values.Select(v => random.Next(5) == 0 ? float.MaxValue : v)]; // huge but finite
        Assert.Equal(-1, FiniteCheck.IndexOfNonFinite(values));
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            for (int at = 0; at < length; at++)
            {
                float[] copy = (float[])values.Clone();
                copy[at] = bad;
                if (at + 3 < length) copy[at + 3] = float.NaN; // a later one does not hide the first
                Assert.Equal(Scalar(copy), FiniteCheck.IndexOfNonFinite(copy));
                Assert.Equal(at, FiniteCheck.IndexOfNonFinite(copy));
            }
    }
}
