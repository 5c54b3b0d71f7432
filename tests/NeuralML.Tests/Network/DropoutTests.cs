using NeuralML.Network;
using NeuralML.Numerics;

namespace NeuralML.Tests.Network;

/// <summary>Inverted dropout's mask: the fraction it drops, its scale, a fresh draw each time, and its rate's range. (Its gradient is checked with the network's, in <see cref="NetworkGradientTests"/>.)</summary>
public class DropoutTests
{
    [Fact]
    public void DropoutKeepsAboutOneMinusRateAndScalesByItsInverse()
    {
        const float rate = 0.3f;
        const int count = 100_000;
        var dropout = new Dropout(rate, new Xoshiro256StarStar(13));
        var values = new float[count];
        var random = new Xoshiro256StarStar(14);
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() + 0.5);
        var kept = new float[count];
        var mask = new float[count];

        dropout.Apply(values, kept, mask);

        float scale = 1f / (1f - rate);
        int dropped = 0;
        for (int i = 0; i < count; i++)
        {
            Assert.True(mask[i] == 0f || mask[i] == scale, $"mask[{i}] = {mask[i]}, expected 0 or {scale}.");
            Assert.Equal(values[i] * mask[i], kept[i]);
            if (mask[i] == 0f) dropped++;
        }
        // The dropped fraction is binomial: σ = √(p(1 − p)/n) ≈ 0.0014, so ±0.01 is about seven σ.
        Assert.InRange(dropped / (double)count, rate - 0.01, rate + 0.01);
        // Inverted dropout keeps the expected value: the mean of the mask is 1.
        Assert.InRange(mask.Average(), 0.98, 1.02);
    }

    [Fact]
    public void DropoutDrawsAFreshMaskEachTime()
    {
        var dropout = new Dropout(0.5f, new Xoshiro256StarStar(15));
        float[] values = Enumerable.Repeat(1f, 64).ToArray();
        float[] kept = new float[64], first = new float[64], second = new float[64];
        dropout.Apply(values, kept, first);
        dropout.Apply(values, kept, second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void DropoutRateOutsideZeroToOneIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1f, new Xoshiro256StarStar(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(-0.1f, new Xoshiro256StarStar(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(float.NaN, new Xoshiro256StarStar(0)));
    }
}
