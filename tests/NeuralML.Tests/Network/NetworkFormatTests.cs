using System.Text;
using NeuralML.Network;
using NeuralML.Numerics;

namespace NeuralML.Tests.Network;

/// <summary>
/// A network's bytes: sizes, activations and parameters read back exactly, and declared sizes are checked against
/// the bytes present before anything is allocated. (The model file around them is tested in Persistence.)
/// </summary>
public class NetworkFormatTests
{
    [Fact]
    public void A_written_network_reads_back_bit_for_bit()
    {
        var network = new FeedForwardNetwork(5, [7, 3], Activation.Elu, 2);
        network.Initialize(new Xoshiro256StarStar(3));
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) NetworkFormat.Write(writer, network);

        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        FeedForwardNetwork read = NetworkFormat.Read(reader, stream.Length);

        Assert.Equal(network.LayerSizes, read.LayerSizes);
        Assert.Equal(network.Layers.Select(l => l.Activation), read.Layers.Select(l => l.Activation));
        Assert.Equal(network.Parameters, read.Parameters);
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public void A_layer_declaring_2_to_the_40_weights_is_rejected_before_allocating()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(1);      // one layer
            writer.Write(1 << 20);
            writer.Write(1 << 20);
            writer.Write((int)Activation.Identity);
            writer.Write((1L << 40) + (1 << 20));
        }
        stream.Position = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(() => NetworkFormat.Read(new BinaryReader(stream), stream.Length));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the reader allocated for the declared size");
        Assert.Contains("parameters", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(NetworkFormat.MaxLayers + 1)]
    public void A_layer_count_out_of_range_is_rejected(int layers)
    {
        using var stream = new MemoryStream(BitConverter.GetBytes(layers));
        Assert.Throws<InvalidDataException>(() => NetworkFormat.Read(new BinaryReader(stream), stream.Length));
    }

    [Fact]
    public void An_unknown_activation_is_rejected()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(1);
            writer.Write(2);
            writer.Write(1);
            writer.Write(99);
            writer.Write(3L);
            writer.Write(new byte[12]);
        }
        stream.Position = 0;
        var ex = Assert.Throws<InvalidDataException>(() => NetworkFormat.Read(new BinaryReader(stream), stream.Length));
        Assert.Contains("activation", ex.Message);
    }
}
