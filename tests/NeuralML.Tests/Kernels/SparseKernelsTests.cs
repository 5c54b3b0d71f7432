using NeuralML.Kernels;
using NeuralML.Numerics;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Kernels;

/// <summary>
/// <see cref="SparseKernels"/> against <see cref="ScalarReference"/> on the same matrix made dense, over odd shapes and
/// densities (empty rows included), on every path under test, with guard-padded buffers; the tolerance is
/// <see cref="DenseKernelsTests"/>' (relative to the sum of the terms' magnitudes).
/// </summary>
public class SparseKernelsTests
{
    private const double Relative = 1e-5, Absolute = 1e-6;

    public static TheoryData<string, int, int, int, double> Shapes()
    {
        var data = new TheoryData<string, int, int, int, double>();
        int[] rows = [1, 3, 7, 33], inputs = [1, 5, 17, 257], outputs = [1, 3, 15, 17, 33, 65, 129];
        double[] densities = [0, 0.02, 0.3, 1];
        int i = 0;
        foreach (string path in KernelPaths.UnderTest)
            foreach (int r in rows)
                foreach (int n in inputs)
                    foreach (double density in densities)
                        data.Add(path, r, n, outputs[i++ % outputs.Length], density);
        return data;
    }

    /// <summary>A random CSR matrix: each value present with probability <paramref name="density"/>, every third row empty.</summary>
    internal static (float[] Values, int[] Indices, int[] Offsets, float[] Dense) RandomCsr(Xoshiro256StarStar random, int rows, int columns, double density)
    {
        var values = new List<float>();
        var indices = new List<int>();
        var offsets = new int[rows + 1];
        var dense = new float[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns && r % 3 != 1; c++)
            {
                if (random.NextDouble() >= density) continue;
                float v = (float)(2 * random.NextDouble() - 1);
                values.Add(v);
                indices.Add(c);
                dense[r * columns + c] = v;
            }
            offsets[r + 1] = values.Count;
        }
        // NaN after the values: a kernel that reads past the last one poisons its result.
        return ([.. values, float.NaN, float.NaN], [.. indices, 0, 0], offsets, dense);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardMatchesReference(string path, int rows, int inputs, int outputs, double density)
    {
        var random = new Xoshiro256StarStar(rows * 1_000_003 + inputs * 1_009 + outputs + (int)(density * 100));
        (float[] values, int[] indices, int[] offsets, float[] dense) = RandomCsr(random, rows, inputs, density);
        float[] weights = GuardedBuffer.Random(random, inputs * outputs);
        float[] bias = GuardedBuffer.Random(random, outputs);
        float[] y = GuardedBuffer.Filled(rows * outputs, float.NaN);

        SparseKernels.Create(threads: 4, path).Forward(new SparseRows(values, indices, offsets, inputs), weights, bias, y, inputs, outputs);

        ScalarReference.Forward(dense, weights, bias, rows, inputs, outputs).AssertClose(y, Relative, Absolute, "y");
        GuardedBuffer.AssertGuardIntact(y, rows * outputs, "y");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void WeightGradientMatchesReferenceInTheTouchedRows(string path, int rows, int inputs, int outputs, double density)
    {
        var random = new Xoshiro256StarStar(rows * 7_000_003 + inputs * 1_013 + outputs + (int)(density * 100));
        (float[] values, int[] indices, int[] offsets, float[] dense) = RandomCsr(random, rows, inputs, density);
        float[] dY = GuardedBuffer.Random(random, rows * outputs);
        float[] dWeights = GuardedBuffer.Filled(inputs * outputs, float.NaN);
        float[] dBias = GuardedBuffer.Filled(outputs, float.NaN);
        var columns = new SparseColumns();
        columns.Build(new SparseRows(values, indices, offsets, inputs));

        SparseKernels.Create(threads: 4, path).WeightGradient(columns, dY, dWeights, dBias, rows, inputs, outputs);

        (Reference dW, Reference dB) = ScalarReference.WeightGradient(dY, dense, rows, inputs, outputs);
        var touched = new HashSet<int>(indices.Take(offsets[^1]));
        Assert.Equal(touched.Order(), columns.Columns.ToArray());
        for (int i = 0; i < inputs; i++)
        {
            for (int o = 0; o < outputs; o++)
            {
                float actual = dWeights[i * outputs + o];
                if (!touched.Contains(i))
                {
                    Assert.True(float.IsNaN(actual), $"dW[{i}, {o}] of a column no row holds was written ({actual}).");
                    continue;
                }
                double expected = dW.Values[i * outputs + o], tolerance = Relative * dW.Magnitudes[i * outputs + o] + Absolute;
                Assert.True(Math.Abs(actual - expected) <= tolerance, $"dW[{i}, {o}] = {actual:R}, reference {expected:R}");
            }
        }
        dB.AssertClose(dBias, Relative, Absolute, "dBias");
        GuardedBuffer.AssertGuardIntact(dWeights, inputs * outputs, "dWeights");
        GuardedBuffer.AssertGuardIntact(dBias, outputs, "dBias");
    }

    /// <summary>Rows are split across threads in fixed ranges, and each output is one chain over its entries in order: the same bits at any thread count.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void ResultsDoNotDependOnTheThreadCount(string path)
    {
        const int Rows = 300, Inputs = 5_000, Outputs = 129;
        var random = new Xoshiro256StarStar(5);
        (float[] values, int[] indices, int[] offsets, _) = RandomCsr(random, Rows, Inputs, 0.01);
        float[] weights = GuardedBuffer.Random(random, Inputs * Outputs);
        float[] bias = GuardedBuffer.Random(random, Outputs);
        float[] dY = GuardedBuffer.Random(random, Rows * Outputs);
        var columns = new SparseColumns();
        columns.Build(new SparseRows(values, indices, offsets, Inputs));
        float[][] results = [.. new[] { 1, 2, 3, 8 }.Select(threads =>
        {
            SparseKernels kernels = SparseKernels.Create(threads, path);
            var y = new float[Rows * Outputs];
            var dW = new float[Inputs * Outputs];
            var dB = new float[Outputs];
            kernels.Forward(new SparseRows(values, indices, offsets, Inputs), weights, bias, y, Inputs, Outputs);
            kernels.WeightGradient(columns, dY, dW, dB, Rows, Inputs, Outputs);
            return (float[])[.. y, .. dW, .. dB];
        })];
        foreach (float[] result in results[1..]) Assert.Equal(results[0], result);
    }

    /// <summary>
    /// A zero adds exactly nothing to an FMA chain and the sparse forward adds the bias last, as the packed micro-kernels
    /// do: on those paths a sparse row gives the dense product's bits, so a model scores the same whichever form a row comes in.
    /// </summary>
    [Theory]
    [MemberData(nameof(PackedPaths))]
    public void ForwardGivesTheDenseProductsBitsOnThePackedPaths(string path)
    {
        if (path == "none") return;
        foreach ((int rows, int inputs, int outputs) in new[] { (1, 300, 128), (7, 1000, 65), (32, 2_000, 17) })
        {
            var random = new Xoshiro256StarStar(rows + inputs + outputs);
            (float[] values, int[] indices, int[] offsets, float[] dense) = RandomCsr(random, rows, inputs, 0.02);
            float[] weights = GuardedBuffer.Random(random, inputs * outputs);
            float[] bias = GuardedBuffer.Random(random, outputs);
            var sparse = new float[rows * outputs];
            var denseY = new float[rows * outputs];
            SparseKernels.Create(2, path).Forward(new SparseRows(values, indices, offsets, inputs), weights, bias, sparse, inputs, outputs);
            DenseKernels.Create(2, path).Forward(dense, weights, bias, denseY, rows, inputs, outputs);
            Assert.Equal(denseY, sparse);
        }
    }

    public static TheoryData<string> Paths() => [.. KernelPaths.UnderTest];

    /// <summary>The paths under test but the portable one, whose dense loops add the bias first (or "none" when that is the only one).</summary>
    public static TheoryData<string> PackedPaths() => KernelPaths.UnderTest.Any(p => p != "Portable") ? [.. KernelPaths.UnderTest.Where(p => p != "Portable")] : ["none"];

    [Fact]
    public void ForwardRejectsAnIndexOutsideTheWidth()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseKernels.Create(1, "Portable").Forward(new SparseRows([1f], [10], [0, 1], 10), new float[10], new float[1], new float[1], 10, 1));
    }
}
