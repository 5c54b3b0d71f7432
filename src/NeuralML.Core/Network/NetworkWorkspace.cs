namespace NeuralML.Network;

/// <summary>
/// The buffers one forward and backward pass needs, sized for a maximum number of rows. A training run allocates one
/// workspace and reuses it for every batch; inference keeps one per thread or per prediction engine.
/// </summary>
internal sealed class NetworkWorkspace
{
    private readonly float[]?[] _dropped;
    private readonly float[]?[] _masks;

    public NetworkWorkspace(FeedForwardNetwork network, int maxRows) : this(network, maxRows, withGradients: true)
    {
    }

    private NetworkWorkspace(FeedForwardNetwork network, int maxRows, bool withGradients)
    {
        if (maxRows <= 0) throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "A workspace needs room for at least one row.");
        MaxRows = maxRows;
        LayerSizes = network.LayerSizes;
        var layers = network.Layers;
        Outputs = new float[layers.Count][];
        for (int l = 0; l < layers.Count; l++) Outputs[l] = new float[Size(maxRows, layers[l].Outputs)];
        _dropped = new float[]?[layers.Count];
        _masks = new float[]?[layers.Count];
        GradientA = withGradients ? new float[Size(maxRows, network.MaxWidth)] : [];
        GradientB = withGradients ? new float[Size(maxRows, network.MaxWidth)] : [];
    }

    /// <summary>A workspace for the forward pass only (evaluation mode): no gradient or dropout buffers.</summary>
    public static NetworkWorkspace ForInference(FeedForwardNetwork network, int maxRows) => new(network, maxRows, withGradients: false);

    private static int Size(int rows, int width)
    {
        long size = (long)rows * width;
        if (size > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(rows), $"{rows} rows of {width} values do not fit in one buffer.");
        return (int)size;
    }

    public int MaxRows { get; }

    private int[] LayerSizes { get; }

    /// <summary>Each layer's activated output, (rows, outputs); the last is the logits.</summary>
    public float[][] Outputs { get; }

    public float[] GradientA { get; }

    public float[] GradientB { get; }

    /// <summary>A hidden layer's output after dropout, (rows, outputs); allocated on first use.</summary>
    public float[] Dropped(int layer) => _dropped[layer] ??= new float[Size(MaxRows, LayerSizes[layer + 1])];

    /// <summary>A hidden layer's dropout scale per value (0 or 1/(1−rate)); allocated on first use.</summary>
    public float[] Mask(int layer) => _masks[layer] ??= new float[Size(MaxRows, LayerSizes[layer + 1])];

    public void EnsureFits(FeedForwardNetwork network, int rows)
    {
        if (rows < 0 || rows > MaxRows)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"The workspace holds at most {MaxRows} rows.");
        if (!network.LayerSizeSpan.SequenceEqual(LayerSizes))
            throw new ArgumentException("The workspace was made for a network of another shape.", nameof(network));
    }
}
