using NeuralML.Numerics;

namespace NeuralML.Tests.Numerics;

/// <summary>The generator every random choice in training comes from.</summary>
public class Xoshiro256StarStarTests
{
    [Fact]
    public void SameSeedGivesTheSameSequence()
    {
        var first = new Xoshiro256StarStar(123);
        var second = new Xoshiro256StarStar(123);
        for (int i = 0; i < 1000; i++) Assert.Equal(first.NextUInt64(), second.NextUInt64());
    }

    [Fact]
    public void DifferentSeedsGiveDifferentSequences()
    {
        var first = new Xoshiro256StarStar(123);
        var second = new Xoshiro256StarStar(124);
        int equal = 0;
        for (int i = 0; i < 1000; i++)
            if (first.NextUInt64() == second.NextUInt64()) equal++;
        Assert.Equal(0, equal);
    }

    /// <summary>
    /// The first outputs for seed 0, from an independent implementation of SplitMix64 seeding and xoshiro256**
    /// (Blackman and Vigna's reference algorithm, written out in Python). Every trained model depends on this stream,
    /// so a change to it must be deliberate.
    /// </summary>
    [Fact]
    public void StreamMatchesTheReferenceAlgorithm()
    {
        var random = new Xoshiro256StarStar(0);
        Assert.Equal(0x99ec5f36cb75f2b4UL, random.NextUInt64());
        Assert.Equal(0xbf6e1f784956452aUL, random.NextUInt64());
        Assert.Equal(0x1a5f849d4933e6e0UL, random.NextUInt64());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public void NextIntStaysInRange(int maxExclusive)
    {
        var random = new Xoshiro256StarStar(maxExclusive);
        for (int i = 0; i < 10_000; i++) Assert.InRange(random.NextInt(maxExclusive), 0, maxExclusive - 1);
    }

    /// <summary>
    /// 70 000 draws over 7 values: Pearson's χ² with 6 degrees of freedom is below 22.46 with probability 0.999.
    /// Then a bound near the top of the int range (3·2²⁹), where a broken reduction of the 64-bit draw would skew the
    /// thirds of the range: χ² with 2 degrees of freedom, below 13.8 with probability 0.999.
    /// </summary>
    [Fact]
    public void NextIntIsRoughlyUniform()
    {
        var random = new Xoshiro256StarStar(5);
        var counts = new int[7];
        const int draws = 70_000;
        for (int i = 0; i < draws; i++) counts[random.NextInt(7)]++;
        Assert.True(ChiSquare(counts, draws) < 22.46, $"Counts {string.Join(", ", counts)}.");

        const int bound = 3 << 29;
        var thirds = new int[3];
        for (int i = 0; i < 30_000; i++) thirds[random.NextInt(bound) / (bound / 3)]++;
        Assert.True(ChiSquare(thirds, 30_000) < 13.8, $"Counts per third {string.Join(", ", thirds)}.");
    }

    private static double ChiSquare(int[] counts, int draws)
    {
        double expected = (double)draws / counts.Length;
        return counts.Sum(c => (c - expected) * (c - expected) / expected);
    }

    [Fact]
    public void NextIntRejectsAnEmptyRange()
    {
        var random = new Xoshiro256StarStar(0);
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextInt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextInt(-3));
    }

    [Fact]
    public void UniformDrawsAreInTheUnitInterval()
    {
        var random = new Xoshiro256StarStar(6);
        double sum = 0;
        for (int i = 0; i < 20_000; i++)
        {
            double d = random.NextDouble();
            float f = random.NextSingle();
            Assert.InRange(d, 0.0, Math.BitDecrement(1.0));
            Assert.InRange(f, 0f, MathF.BitDecrement(1f));
            sum += d;
        }
        // Mean of 20 000 uniforms: σ = 1/√(12·20000) ≈ 0.002; ±0.01 is five σ.
        Assert.InRange(sum / 20_000, 0.49, 0.51);
    }

    [Fact]
    public void GaussianHasMeanZeroAndUnitVariance()
    {
        var random = new Xoshiro256StarStar(7);
        const int n = 40_000;
        double sum = 0, sumSquares = 0;
        for (int i = 0; i < n; i++)
        {
            double g = random.NextGaussian();
            sum += g;
            sumSquares += g * g;
        }
        // σ of the mean is 1/√n = 0.005 and of the variance √(2/n) = 0.007; the bounds are about five σ.
        Assert.InRange(sum / n, -0.025, 0.025);
        Assert.InRange(sumSquares / n, 0.965, 1.035);
    }

    [Fact]
    public void ShuffleIsAPermutationAndDependsOnTheSeed()
    {
        int[] first = Enumerable.Range(0, 100).ToArray();
        int[] second = Enumerable.Range(0, 100).ToArray();
        new Xoshiro256StarStar(8).Shuffle(first);
        new Xoshiro256StarStar(9).Shuffle(second);

        Assert.Equal(Enumerable.Range(0, 100), first.Order());
        Assert.NotEqual(Enumerable.Range(0, 100), first);
        Assert.NotEqual(first, second);
    }
}
