using NeuralML.Training;

namespace NeuralML.Network;

/// <summary>
/// Inverted dropout: in training, each hidden value is kept with probability 1 − rate and scaled by 1/(1 − rate),
/// so that evaluation mode needs no rescaling and simply skips this step.
/// </summary>
internal sealed class Dropout
{
    private readonly SplitMix _random;

    public Dropout(float rate, SplitMix random)
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
}
