using System.Numerics.Tensors;
using NeuralML.Network;
using NeuralML.Numerics;

namespace NeuralML.Tests.Network;

/// <summary><see cref="FeedForwardNetwork.Initialize"/>: He for the ReLU family, Glorot elsewhere, no zero weight, zero biases.</summary>
public class InitializationTests
{
    private static FeedForwardNetwork Initialized(Activation activation, int seed = 1)
    {
        var network = new FeedForwardNetwork(200, [300], activation, 10);
        network.Parameters.AsSpan().Fill(7f); // biases must be cleared, not left as they were
        network.Initialize(new Xoshiro256StarStar(seed));
        return network;
    }

    private static (double Mean, double Std) Moments(ReadOnlySpan<float> values)
    {
        double sum = 0, sumSquares = 0;
        foreach (float v in values)
        {
            sum += v;
            sumSquares += (double)v * v;
        }
        double mean = sum / values.Length;
        return (mean, Math.Sqrt(sumSquares / values.Length - mean * mean));
    }

    /// <summary>
    /// He-normal, std = √(2/fan_in) = 0.1 for 200 inputs. With 60 000 samples the sample std is within ±0.3% (one σ)
    /// of the truth; ±2% is about seven σ. The mean is within 7σ = 7·0.1/√60000 ≈ 0.003 of 0.
    /// </summary>
    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.LeakyRelu)]
    [InlineData(Activation.Elu)]
    [InlineData(Activation.Gelu)]
    [InlineData(Activation.Silu)]
    [InlineData(Activation.PRelu)]
    [InlineData(Activation.Selu)]
    public void ReluFamilyGetsHeNormalWeights(Activation activation)
    {
        FeedForwardNetwork network = Initialized(activation);

        (double mean, double std) = Moments(network.Weights(0));
        // PReLU: He et al.'s correction for the initial slope a = 0.25, 2/((1 + a²)·fan-in); SELU: LeCun, 1/fan-in.
        double expected = activation switch
        {
            Activation.PRelu => Math.Sqrt(2.0 / (1.0625 * 200)),
            Activation.Selu => Math.Sqrt(1.0 / 200),
            _ => Math.Sqrt(2.0 / 200),
        };
        Assert.InRange(std, 0.98 * expected, 1.02 * expected);
        Assert.InRange(mean, -0.003, 0.003);
        // A normal sample of 60 000 reaches past 3σ (about 160 expected values) but not past 6σ.
        float max = TensorMaxAbs(network.Weights(0));
        Assert.InRange(max, 3 * expected, 6 * expected);
    }

    /// <summary>
    /// Glorot-uniform in ±√(6/(fan_in + fan_out)): every weight inside the limit, the extremes close to it, and the
    /// std limit/√3 within 2% (about seven σ for 60 000 samples).
    /// </summary>
    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Identity)]
    public void OtherActivationsGetGlorotUniformWeights(Activation activation)
    {
        FeedForwardNetwork network = Initialized(activation);

        double limit = Math.Sqrt(6.0 / (200 + 300));
        float max = TensorMaxAbs(network.Weights(0));
        Assert.True(max <= limit, $"A weight {max} is past the Glorot limit {limit}.");
        Assert.True(max > 0.999 * limit, $"The largest weight {max} is far from the Glorot limit {limit}.");
        (double mean, double std) = Moments(network.Weights(0));
        Assert.InRange(std, 0.98 * limit / Math.Sqrt(3), 1.02 * limit / Math.Sqrt(3));
        Assert.InRange(mean, -0.003, 0.003);
    }

    /// <summary>The output layer is linear, so it always gets Glorot-uniform, whatever the hidden activation.</summary>
    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Tanh)]
    public void OutputLayerGetsGlorotUniformWeights(Activation activation)
    {
        FeedForwardNetwork network = Initialized(activation);

        Assert.Equal(Activation.Identity, network.Layers[^1].Activation);
        double limit = Math.Sqrt(6.0 / (300 + 10));
        Assert.True(TensorMaxAbs(network.Weights(1)) <= limit);
    }

    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Tanh)]
    public void NoWeightIsZeroAndEveryBiasIs(Activation activation)
    {
        FeedForwardNetwork network = Initialized(activation);

        for (int l = 0; l < network.Layers.Count; l++)
        {
            foreach (float w in network.Weights(l)) Assert.NotEqual(0f, w);
            foreach (float b in network.Biases(l)) Assert.Equal(0f, b);
        }
    }

    [Fact]
    public void PReluSlopesStartAtAQuarterAfterTheBiases()
    {
        var network = new FeedForwardNetwork(3, [4, 5], Activation.PRelu, 2);
        network.Parameters.AsSpan().Fill(7f);
        network.Initialize(new Xoshiro256StarStar(1));

        Assert.Equal(3 * 4 + 4 + 4 + 4 * 5 + 5 + 5 + 5 * 2 + 2, network.Parameters.Length);
        Assert.Equal(16, network.Layers[0].SlopeOffset);
        Assert.Equal(20, network.Layers[1].WeightOffset);
        Assert.All(network.Slopes(0).ToArray(), a => Assert.Equal(0.25f, a));
        Assert.All(network.Slopes(1).ToArray(), a => Assert.Equal(0.25f, a));
        Assert.Equal(0, network.Slopes(2).Length); // the output layer is linear
    }

    [Fact]
    public void SameSeedSameWeightsAndDifferentSeedDifferentWeights()
    {
        Assert.Equal(Initialized(Activation.Relu, seed: 3).Parameters, Initialized(Activation.Relu, seed: 3).Parameters);
        Assert.NotEqual(Initialized(Activation.Relu, seed: 3).Parameters, Initialized(Activation.Relu, seed: 4).Parameters);
    }

    /// <summary>Weights (outputs, inputs) then biases, layer after layer, in one buffer.</summary>
    [Fact]
    public void ParametersAreLaidOutLayerAfterLayer()
    {
        var network = new FeedForwardNetwork(3, [4, 5], Activation.Relu, 2);

        Assert.Equal([3, 4, 5, 2], network.LayerSizes);
        Assert.Equal(3 * 4 + 4 + 4 * 5 + 5 + 5 * 2 + 2, network.Parameters.Length);
        Assert.Equal(0, network.Layers[0].WeightOffset);
        Assert.Equal(12, network.Layers[0].BiasOffset);
        Assert.Equal(16, network.Layers[1].WeightOffset);
        Assert.Equal(36, network.Layers[1].BiasOffset);
        Assert.Equal(41, network.Layers[2].WeightOffset);
        Assert.Equal(network.Parameters.Length, network.Layers[2].End);
        Assert.Equal(5, network.MaxWidth);
    }

    private static float TensorMaxAbs(ReadOnlySpan<float> values) => Math.Abs(TensorPrimitives.MaxMagnitude(values));
}
