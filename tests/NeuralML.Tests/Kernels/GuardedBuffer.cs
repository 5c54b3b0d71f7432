using NeuralML.Numerics;

namespace NeuralML.Tests.Kernels;

/// <summary>
/// Arrays with a guard zone after the values a kernel may touch. Inputs carry NaN in their guard, so that a kernel
/// reading past the end poisons its result; outputs carry a sentinel, so that a write past the end is seen.
/// </summary>
internal static class GuardedBuffer
{
    /// <summary>Longer than two Vector512 of floats, so that a full-vector overrun lands inside the guard.</summary>
    public const int GuardLength = 37;

    public const float Sentinel = 12345f;

    /// <summary>A buffer of <paramref name="length"/> values uniform in [−1, 1), followed by a NaN guard.</summary>
    public static float[] Random(Xoshiro256StarStar random, int length)
    {
        var buffer = new float[length + GuardLength];
        for (int i = 0; i < length; i++) buffer[i] = (float)(2 * random.NextDouble() - 1);
        buffer.AsSpan(length).Fill(float.NaN);
        return buffer;
    }

    /// <summary>A buffer of <paramref name="length"/> copies of <paramref name="fill"/>, followed by a sentinel guard.</summary>
    public static float[] Filled(int length, float fill)
    {
        var buffer = new float[length + GuardLength];
        buffer.AsSpan(0, length).Fill(fill);
        buffer.AsSpan(length).Fill(Sentinel);
        return buffer;
    }

    /// <summary>Random values followed by a sentinel guard: an accumulator the kernel adds to.</summary>
    public static float[] RandomWithSentinel(Xoshiro256StarStar random, int length)
    {
        float[] buffer = Random(random, length);
        buffer.AsSpan(length).Fill(Sentinel);
        return buffer;
    }

    public static void AssertGuardIntact(float[] buffer, int length, string name)
    {
        for (int i = length; i < buffer.Length; i++)
            Assert.True(buffer[i].Equals(Sentinel), $"{name}[{i}] past the end ({length}) was overwritten with {buffer[i]}.");
    }
}
