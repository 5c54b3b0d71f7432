using NeuralML.Network;

namespace NeuralML.Tests.Network;

/// <summary>The model file's checksum is the standard CRC-32 (IEEE 802.3).</summary>
public class Crc32Tests
{
    [Fact]
    public void The_checksum_of_the_standard_check_string_is_CBF43926() => Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Fact]
    public void The_checksum_of_nothing_is_zero() => Assert.Equal(0u, Crc32.Compute([]));
}
