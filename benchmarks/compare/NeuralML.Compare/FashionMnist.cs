using System.IO.Compression;

namespace NeuralML.Compare;

/// <summary>Reads the original IDX files of (Fashion-)MNIST, gzipped or not; pixels scaled to [0, 1].</summary>
internal static class FashionMnist
{
    public static (float[] Pixels, byte[] Labels, int Count) Load(string directory, string prefix)
    {
        byte[] images = ReadAll(directory, $"{prefix}-images-idx3-ubyte");
        byte[] labels = ReadAll(directory, $"{prefix}-labels-idx1-ubyte");
        int count = BigEndian(images, 4), rows = BigEndian(images, 8), columns = BigEndian(images, 12);
        if (BigEndian(images, 0) != 2051 || BigEndian(labels, 0) != 2049 || BigEndian(labels, 4) != count || rows * columns != 784)
            throw new InvalidDataException($"{prefix}: not a 28x28 IDX image/label pair.");
        var pixels = new float[count * 784];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = images[16 + i] / 255f;
        return (pixels, labels.AsSpan(8, count).ToArray(), count);
    }

    private static byte[] ReadAll(string directory, string name)
    {
        string plain = Path.Combine(directory, name), gzipped = plain + ".gz";
        if (File.Exists(plain)) return File.ReadAllBytes(plain);
        if (!File.Exists(gzipped)) throw new FileNotFoundException($"Neither {plain} nor {gzipped} exists.");
        using var input = new GZipStream(File.OpenRead(gzipped), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static int BigEndian(byte[] data, int offset) => (data[offset] << 24) | (data[offset + 1] << 16) | (data[offset + 2] << 8) | data[offset + 3];
}
