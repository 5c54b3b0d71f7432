using NeuralML.Network;

namespace NeuralML.Tests.Network;

/// <summary>The output heads against their formulas, at ordinary and extreme logits.</summary>
public class OutputHeadTests
{
    [Fact]
    public void Heads_give_probabilities_or_scores()
    {
        float[] binary = [0f];
        OutputHead.Sigmoid.Apply(binary);
        Assert.Equal(0.5f, binary[0]);

        float[] softmax = [1f, 2f, 3f];
        OutputHead.Softmax.Apply(softmax);
        Assert.Equal(1.0, softmax.Sum(), 1e-6);
        Assert.Equal(Math.Exp(3) / (Math.Exp(1) + Math.Exp(2) + Math.Exp(3)), softmax[2], 1e-6);

        float[] score = [-7.5f];
        OutputHead.Identity.Apply(score);
        Assert.Equal(-7.5f, score[0]);
    }

    [Fact]
    public void Extreme_logits_give_finite_probabilities()
    {
        float[] high = [1000f], low = [-1000f];
        OutputHead.Sigmoid.Apply(high);
        OutputHead.Sigmoid.Apply(low);
        Assert.Equal(1f, high[0]);
        Assert.Equal(0f, low[0]);

        float[] softmax = [1000f, -1000f, 999f];
        OutputHead.Softmax.Apply(softmax);
        Assert.All(softmax, p => Assert.True(float.IsFinite(p)));
        Assert.Equal(1 / (1 + Math.Exp(-1)), softmax[0], 1e-6);
    }

    [Fact]
    public void Unknown_head_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((OutputHead)7).Apply(new float[1]));
    }
}
