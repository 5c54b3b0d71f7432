using System.Text;
using NeuralML.Columns;
using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Persistence;

namespace NeuralML.Tests.Persistence;

/// <summary>
/// NeuralML's model format refuses every damaged file with <see cref="InvalidDataException"/>, and never allocates
/// much more than the file holds while doing so.
/// </summary>
public class ModelFileTests
{
    private const long AllocationBound = 1 << 20;

    private static byte[] SmallModel()
    {
        var network = new FeedForwardNetwork(3, [4], Activation.Relu, 3);
        network.Initialize(new Xoshiro256StarStar(1));
        var model = new FeedForwardModelParameters(PredictionKind.MulticlassClassification, network,
            ClassLabels.CreateText(["setosa", "versicolor", "virginica"]),
            new FeedForwardTrainingHistory([new FeedForwardEpoch(1, 0.5, 0.6, 0.75, 0.001f, TimeSpan.FromSeconds(0.125)), new FeedForwardEpoch(2, 0.25, null, null, 0.0005f, TimeSpan.FromSeconds(0.25))],
                keptEpoch: 1, "accuracy", "No problem found."));
        using var stream = new MemoryStream();
        ModelFile.Write(stream, model, "Features");
        return stream.ToArray();
    }

    private static void AssertRejected(byte[] bytes, string? messagePart = null)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(() => ModelFile.Read(new MemoryStream(bytes)));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < AllocationBound + 4L * bytes.Length, $"reading {bytes.Length} bad bytes allocated {allocated} bytes");
        if (messagePart is not null) Assert.Contains(messagePart, ex.Message);
    }

    [Fact]
    public void A_written_model_reads_back_equal()
    {
        byte[] bytes = SmallModel();
        (FeedForwardModelParameters model, string feature) = ModelFile.Read(new MemoryStream(bytes));
        Assert.Equal("Features", feature);
        Assert.Equal(PredictionKind.MulticlassClassification, model.Kind);
        Assert.Equal([3, 4, 3], model.LayerSizes);
        Assert.Equal(["setosa", "versicolor", "virginica"], model.ClassLabels!.Names!);
        Assert.Equal([0.5, 0.25], model.TrainingLosses);
        Assert.Equal(new FeedForwardEpoch(1, 0.5, 0.6, 0.75, 0.001f, TimeSpan.FromSeconds(0.125)), model.TrainingHistory.Epochs[0]);
        Assert.Equal(new FeedForwardEpoch(2, 0.25, null, null, 0.0005f, TimeSpan.FromSeconds(0.25)), model.TrainingHistory.Epochs[1]);
        Assert.Equal(1, model.TrainingHistory.KeptEpoch);
        Assert.Equal("accuracy", model.TrainingHistory.ValidationMetricName);
        Assert.Equal("No problem found.", model.TrainingDiagnosis);
        var original = new FeedForwardNetwork(3, [4], Activation.Relu, 3);
        original.Initialize(new Xoshiro256StarStar(1));
        Assert.Equal(original.Parameters, model.GetParameters());
    }

    [Fact]
    public void Every_truncation_is_rejected()
    {
        byte[] bytes = SmallModel();
        for (int length = 0; length < bytes.Length; length++) AssertRejected(bytes[..length]);
    }

    [Fact]
    public void Random_byte_flips_are_rejected()
    {
        byte[] bytes = SmallModel();
        var random = new Random(7);
        for (int trial = 0; trial < 3000; trial++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            int position = random.Next(damaged.Length);
            damaged[position] ^= (byte)random.Next(1, 256);
            AssertRejected(damaged);
        }
    }

    [Fact]
    public void A_header_declaring_2_to_the_40_weights_is_rejected_before_allocating()
    {
        // A consistent, checksummed payload whose one layer is 2^20 × 2^20: 2^40 weights declared, none present.
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((int)PredictionKind.Regression);
            writer.Write("Features");
            writer.Write(0);      // threads
            writer.Write(0);      // no class labels
            writer.Write(0);      // no losses
            writer.Write(1);      // one layer
            writer.Write(1 << 20);
            writer.Write(1 << 20);
            writer.Write((int)Activation.Identity);
            writer.Write((1L << 40) + (1 << 20));
        }
        byte[] body = payload.ToArray();
        AssertRejected(WithHeader(body, version: 1), "parameters");
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]       // string length -1
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })] // a 7-bit length that never ends
    [InlineData(new byte[] { 0x02, 0xC3, 0x28 })]                     // invalid UTF-8
    public void A_checksummed_payload_with_a_bad_string_is_rejected(byte[] featureColumnName)
    {
        byte[] body = [.. BitConverter.GetBytes((int)PredictionKind.Regression), .. featureColumnName, .. new byte[64]];
        AssertRejected(WithHeader(body, version: 1));
    }

    [Fact]
    public void A_newer_format_version_asks_for_a_newer_NeuralML()
    {
        byte[] bytes = SmallModel();
        BitConverter.TryWriteBytes(bytes.AsSpan(8), ModelFile.FormatVersion + 1);
        AssertRejected(bytes, "Update NeuralML");
    }

    [Fact]
    public void A_declared_payload_of_2_to_the_40_bytes_is_rejected()
    {
        byte[] bytes = SmallModel();
        BitConverter.TryWriteBytes(bytes.AsSpan(12), 1L << 40);
        AssertRejected(bytes, "payload");
    }

    [Fact]
    public void Something_else_is_not_a_model()
    {
        AssertRejected("PK\u0003\u0004 this is a zip, not a model"u8.ToArray(), "not a NeuralML model");
        AssertRejected([]);
    }

    private static byte[] WithHeader(byte[] payload, int version)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write("NeuralML"u8);
        writer.Write(version);
        writer.Write((long)payload.Length);
        writer.Write(Crc32.Compute(payload));
        writer.Write(payload);
        writer.Flush();
        return stream.ToArray();
    }
}
