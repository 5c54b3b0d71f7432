using System.Runtime.CompilerServices;

namespace NeuralML.Network;

/// <summary>
/// The buffers one forward and backward pass needs, sized for a maximum number of rows. A training run allocates one
/// workspace and reuses it for every batch; inference keeps one per thread or per prediction engine.
/// </summary>
internal sealed class NetworkWorkspace
{
    public NetworkWorkspace(FeedForwardNetwork network, int maxRows) : this(network, maxRows, withGradients: true)
    {
    }

    private NetworkWorkspace(FeedForwardNetwork network, int maxRows, bool withGradients)
    {
        if (maxRows <= 0) throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "A workspace needs room for at least one row.");
        MaxRows = maxRows;
        var layers = network.Layers;
        Layers = [.. layers];
        Outputs = new float[layers.Count][];
        PreActivations = new float[layers.Count][];
        Normalized = new float[layers.Count][];
        InverseStd = new float[layers.Count][];
        for (int l = 0; l < layers.Count; l++)
        {
            Outputs[l] = new float[Size(maxRows, layers[l].Outputs)];
            PreActivations[l] = layers[l].KeepsPreActivation ? new float[Size(maxRows, layers[l].Outputs)] : [];
            Normalized[l] = layers[l].BatchNormalization ? new float[Size(maxRows, layers[l].Outputs)] : [];
            InverseStd[l] = layers[l].BatchNormalization ? new float[layers[l].Outputs] : [];
        }
        LayerResults = (float[][])Outputs.Clone();
        GradientA = withGradients ? new float[Size(maxRows, network.MaxWidth)] : [];
        GradientB = withGradients ? new float[Size(maxRows, network.MaxWidth)] : [];
    }

    /// <summary>A workspace for the forward pass only (evaluation mode): no gradient buffers.</summary>
    public static NetworkWorkspace ForInference(FeedForwardNetwork network, int maxRows) => new(network, maxRows, withGradients: false);

    private static int Size(int rows, int width)
    {
        long size = (long)rows * width;
        if (size > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(rows), $"{rows} rows of {width} values do not fit in one buffer.");
        return (int)size;
    }

    public int MaxRows { get; }

    private DenseLayerShape[] Layers { get; }

    /// <summary>Each layer's activated output, (rows, outputs); the last is the logits.</summary>
    public float[][] Outputs { get; }

    /// <summary>The pre-activation z of each layer whose derivative needs it (GELU, SiLU, PReLU), (rows, outputs); empty for the others.</summary>
    public float[][] PreActivations { get; }

    /// <summary>
    /// What the next layer read from each layer in the last forward pass, (rows, outputs): its activated output, or
    /// the buffer of its last training-only part.
    /// </summary>
    public float[][] LayerResults { get; }

    /// <summary>The dense outputs z, then x̂ after batch normalisation's training pass, of each normalised layer, (rows, outputs); empty for the others.</summary>
    public float[][] Normalized { get; }

    /// <summary>Each normalised layer's 1/√(σ² + ε) of the last training pass, (outputs).</summary>
    public float[][] InverseStd { get; }

    /// <summary>Whether the last forward pass was in training mode.</summary>
    public bool Training { get; set; }

    /// <summary>The training-only parts the last forward pass ran (empty in evaluation mode); backward goes through the same.</summary>
    public IHiddenLayerPart[] Parts { get; set; } = [];

    public float[] GradientA { get; }

    public float[] GradientB { get; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EnsureFits(FeedForwardNetwork network, int rows)
    {
        if (rows < 0 || rows > MaxRows)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"The workspace holds at most {MaxRows} rows.");
        if (!network.Layers.SequenceEqual(Layers))
            throw new ArgumentException("The workspace was made for a network of another shape.", nameof(network));
    }
}
