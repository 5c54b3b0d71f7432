using System.Buffers.Binary;

namespace NeuralML.Network;

/// <summary>
/// A network's layer sizes, activations and parameters as bytes (little-endian): layer count, sizes, activations,
/// parameter count, parameters. Reading checks every declared size against the bytes that remain before allocating,
/// so a corrupted or hostile file cannot make it allocate more than the file holds.
/// </summary>
internal static class NetworkFormat
{
    public const int MaxLayers = 1024;
    public const int MaxWidth = 1 << 24;

    public static void Write(BinaryWriter writer, FeedForwardNetwork network)
    {
        if (network.HasBatchNormalization) throw new InvalidOperationException("Batch normalisation is folded into the dense layers before a network is saved.");
        writer.Write(network.Layers.Count);
        foreach (int size in network.LayerSizeSpan) writer.Write(size);
        foreach (DenseLayerShape layer in network.Layers) writer.Write((int)layer.Activation);
        writer.Write((long)network.Parameters.Length);
        Span<byte> buffer = stackalloc byte[4];
        foreach (float value in network.Parameters)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer, value);
            writer.Write(buffer);
        }
    }

    /// <exception cref="InvalidDataException">The bytes do not describe a valid network.</exception>
    public static FeedForwardNetwork Read(BinaryReader reader, long remainingBytes)
    {
        int layers = reader.ReadInt32();
        if (layers < 1 || layers > MaxLayers) throw new InvalidDataException($"The model declares {layers} layers; expected 1 to {MaxLayers}.");
        if (remainingBytes < 4 + 8L * layers + 4 + 8) throw new InvalidDataException("The model is truncated in its layer list.");
        var sizes = new int[layers + 1];
        for (int i = 0; i <= layers; i++)
        {
            sizes[i] = reader.ReadInt32();
            if (sizes[i] < 1 || sizes[i] > MaxWidth) throw new InvalidDataException($"The model declares a layer of {sizes[i]} units; expected 1 to {MaxWidth}.");
        }
        var activations = new Activation[layers];
        long parameters = 0;
        for (int l = 0; l < layers; l++)
        {
            int value = reader.ReadInt32();
            if (!Enum.IsDefined((Activation)value)) throw new InvalidDataException($"The model declares an unknown activation ({value}) in layer {l}.");
            activations[l] = (Activation)value;
            parameters += DenseLayerShape.CountParameters(sizes[l], sizes[l + 1], activations[l]);
        }
        long declared = reader.ReadInt64();
        if (declared != parameters)
            throw new InvalidDataException($"The model declares {declared} parameters; its layer sizes need {parameters}.");
        long headerBytes = 4 + 4L * (layers + 1) + 4L * layers + 8;
        if (declared > (remainingBytes - headerBytes) / 4 || declared > Array.MaxLength)
            throw new InvalidDataException($"The model declares {declared} parameters, more than the {remainingBytes - headerBytes} bytes left hold.");
        var values = new float[declared];
        Span<byte> buffer = stackalloc byte[4];
        for (long i = 0; i < declared; i++)
        {
            if (reader.Read(buffer) != 4) throw new InvalidDataException("The model is truncated in its parameters.");
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(buffer);
        }
        return FeedForwardNetwork.FromParameters(sizes, activations, values);
    }
}
