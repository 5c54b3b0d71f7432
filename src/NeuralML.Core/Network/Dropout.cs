using NeuralML.Numerics;

namespace NeuralML.Network;

/// <summary>
/// Inverted dropout: in training, each hidden value is kept with probability 1 − rate and scaled by 1/(1 − rate),
/// so that evaluation mode needs no rescaling and simply skips this step. Even a rate of 0 draws (and applies) a mask.
/// </summary>
internal sealed class Dropout : IHiddenLayerPart
{
    private readonly Xoshiro256StarStar _random;

    // Per hidden layer, the kept values and the mask of the last forward; grown on first use, then reused.
    private float[][] _kept = [], _masks = [];

    public Dropout(float rate, Xoshiro256StarStar random)
    {
        if (!(rate >= 0f && rate < 1f)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "Dropout rate must be in [0, 1).");
        Rate = rate;
        _random = random;
    }

    public float Rate { get; }

    /// <summary>Draws a fresh mask and writes kept[i] = values[i]·mask[i].</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Apply(ReadOnlySpan<float> values, Span<float> kept, Span<float> mask)
    {
        float scale = 1f / (1f - Rate);
        for (int i = 0; i < values.Length; i++)
        {
            float m = _random.NextSingle() >= Rate ? scale : 0f;
            mask[i] = m;
            kept[i] = values[i] * m;
        }
    }

    public float[] Forward(int layer, float[] values, int rows, int width)
    {
        int count = rows * width;
        float[] kept = Buffer(ref _kept, layer, count), mask = Buffer(ref _masks, layer, count);
        Apply(values.AsSpan(0, count), kept.AsSpan(0, count), mask.AsSpan(0, count));
        return kept;
    }

    public void Backward(int layer, Span<float> gradient)
        => System.Numerics.Tensors.TensorPrimitives.Multiply(gradient, _masks[layer].AsSpan(0, gradient.Length), gradient);

    private static float[] Buffer(ref float[][] buffers, int layer, int count)
    {
        if (buffers.Length <= layer) Array.Resize(ref buffers, layer + 1);
        float[]? buffer = buffers[layer];
        if (buffer is null || buffer.Length < count) buffers[layer] = buffer = new float[count];
        return buffer;
    }
}
