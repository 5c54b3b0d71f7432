using NeuralML.Kernels;
using NeuralML.Numerics;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Kernels;

/// <summary>
/// Every <see cref="DenseKernels"/> implementation against <see cref="ScalarReference"/> over odd shapes, with
/// guard-padded buffers. Tolerance per value: |error| ≤ 1e-5·Σ|a_i·b_i| + 1e-6, relative to the sum of the magnitudes
/// of the terms (a float sum of n terms errs by at most about n·2⁻²⁴·Σ|terms|; n ≤ 65 here, and 1e-5 leaves room for
/// any summation order, n ≤ 257 here), with an absolute floor for values that cancel to nearly zero.
/// </summary>
public class DenseKernelsTests
{
    private const double Relative = 1e-5, Absolute = 1e-6;

    private static readonly int[] Sizes = [1, 3, 7, 15, 17, 31, 33, 63, 65, 127, 129, 255, 257];

    /// <summary>
    /// The paths under test (<see cref="KernelPaths.UnderTest"/>), each allowed 4 threads so that large shapes also go
    /// through the multi-threaded split.
    /// </summary>
    private static readonly Dictionary<string, DenseKernels> Implementations =
        KernelPaths.UnderTest.ToDictionary(path => path, path => DenseKernels.Create(threads: 4, path));

    /// <summary>
    /// A Latin square over the sizes: (rows, inputs, outputs) = (S[i], S[j], S[(i + j) mod 6]) covers every pair of
    /// sizes for every pair of dimensions in 36 shapes instead of 216.
    /// </summary>
    public static TheoryData<string, int, int, int> Shapes()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (string kernels in Implementations.Keys)
            for (int i = 0; i < Sizes.Length; i++)
                for (int j = 0; j < Sizes.Length; j++)
                    data.Add(kernels, Sizes[i], Sizes[j], Sizes[(i + j) % Sizes.Length]);
        return data;
    }

    [Fact]
    public void DefaultIsARegisteredImplementation()
    {
        Assert.Contains(DenseKernels.Default.Name, DenseKernels.Supported);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardMatchesReference(string kernels, int rows, int inputs, int outputs)
    {
        var random = new Xoshiro256StarStar(rows * 10_000 + inputs * 100 + outputs);
        float[] x = GuardedBuffer.Random(random, rows * inputs);
        float[] weights = GuardedBuffer.Random(random, outputs * inputs);
        float[] bias = GuardedBuffer.Random(random, outputs);
        float[] y = GuardedBuffer.Filled(rows * outputs, float.NaN); // NaN: every value must be overwritten

        Implementations[kernels].Forward(x, weights, bias, y, rows, inputs, outputs);

        ScalarReference.Forward(x, weights, bias, rows, inputs, outputs).AssertClose(y, Relative, Absolute, "y");
        GuardedBuffer.AssertGuardIntact(y, rows * outputs, "y");
    }

    public static TheoryData<string, Activation> PathsAndActivations()
    {
        var data = new TheoryData<string, Activation>();
        foreach (string kernels in Implementations.Keys)
            foreach (Activation activation in Enum.GetValues<Activation>().Where(a => a != Activation.PRelu)) // PReLU's slopes are not fused
                data.Add(kernels, activation);
        return data;
    }

    /// <summary>
    /// The bias and activation fused into the forward store. Every activation is 1-Lipschitz, so the error of f(z) is at
    /// most the error of z plus f's own rounding (1e-6·|f| + 1e-6).
    /// </summary>
    [Theory]
    [MemberData(nameof(PathsAndActivations))]
    public void ForwardWithActivationMatchesReference(string kernels, Activation activation)
    {
        foreach ((int rows, int inputs, int outputs) in new[] { (7, 33, 65), (15, 17, 31), (1, 3, 1), (13, 257, 33) })
        {
            var random = new Xoshiro256StarStar(rows + inputs + outputs + (int)activation);
            float[] x = GuardedBuffer.Random(random, rows * inputs);
            float[] weights = GuardedBuffer.Random(random, inputs * outputs);
            float[] bias = GuardedBuffer.Random(random, outputs);
            float[] y = GuardedBuffer.Filled(rows * outputs, float.NaN);

            Implementations[kernels].Forward(x, weights, bias, y, rows, inputs, outputs, activation);

            Reference z = ScalarReference.Forward(x, weights, bias, rows, inputs, outputs);
            for (int i = 0; i < rows * outputs; i++)
            {
                double expected = ScalarReference.Activate(activation, z.Values[i]);
                double tolerance = Relative * z.Magnitudes[i] + Absolute + 1e-6 * Math.Abs(expected) + 1e-6;
                Assert.True(Math.Abs(y[i] - expected) <= tolerance, $"{activation} y[{i}] = {y[i]:R}, reference {expected:R}");
            }
            GuardedBuffer.AssertGuardIntact(y, rows * outputs, "y");
        }
    }

    /// <summary>
    /// A row's forward result does not depend on the rest of the batch: scoring rows one at a time (the prediction
    /// engine) gives the same bits as scoring them together (batch Transform).
    /// </summary>
    [Theory]
    [MemberData(nameof(PathsAndActivations))]
    public void ForwardOfOneRowEqualsTheSameRowInABatch(string kernels, Activation activation)
    {
        foreach ((int rows, int inputs, int outputs) in new[] { (13, 33, 65), (31, 784, 300), (7, 5, 10) })
        {
            var random = new Xoshiro256StarStar(rows * inputs + outputs);
            float[] x = GuardedBuffer.Random(random, rows * inputs);
            // Zeros and negative zeros, as in sparse or one-hot rows (the single-row path skips them).
            for (int i = 0; i < rows * inputs; i += 3) x[i] = i % 2 == 0 ? 0f : -0f;
            float[] weights = GuardedBuffer.Random(random, inputs * outputs);
            float[] bias = GuardedBuffer.Random(random, outputs);
            float[] batch = new float[rows * outputs], single = new float[outputs];
            Implementations[kernels].Forward(x, weights, bias, batch, rows, inputs, outputs, activation);
            for (int r = 0; r < rows; r++)
            {
                Implementations[kernels].Forward(x.AsSpan(r * inputs, inputs), weights, bias, single, 1, inputs, outputs, activation);
                Assert.Equal(batch.AsSpan(r * outputs, outputs).ToArray(), single);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void InputGradientMatchesReference(string kernels, int rows, int inputs, int outputs)
    {
        var random = new Xoshiro256StarStar(rows * 10_000 + inputs * 100 + outputs + 1);
        float[] dY = GuardedBuffer.Random(random, rows * outputs);
        float[] weights = GuardedBuffer.Random(random, outputs * inputs);
        float[] dX = GuardedBuffer.Filled(rows * inputs, float.NaN); // NaN: dX is overwritten, not accumulated
        if (outputs > 1) dY[0] = 0f; // a zero gradient must still leave a correct (cleared) row

        Implementations[kernels].InputGradient(dY, weights, dX, rows, inputs, outputs);

        ScalarReference.InputGradient(dY, weights, rows, inputs, outputs).AssertClose(dX, Relative, Absolute, "dX");
        GuardedBuffer.AssertGuardIntact(dX, rows * inputs, "dX");
    }

    /// <summary>The weight gradient overwrites whatever its buffers held (NaN here), which saves clearing them first.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void WeightGradientMatchesReference(string kernels, int rows, int inputs, int outputs)
    {
        var random = new Xoshiro256StarStar(rows * 10_000 + inputs * 100 + outputs + 3);
        float[] dY = GuardedBuffer.Random(random, rows * outputs);
        float[] x = GuardedBuffer.Random(random, rows * inputs);
        float[] dWeights = GuardedBuffer.Filled(inputs * outputs, float.NaN);
        float[] dBias = GuardedBuffer.Filled(outputs, float.NaN);
        (Reference expectedWeights, Reference expectedBias) = ScalarReference.WeightGradient(dY, x, rows, inputs, outputs);

        Implementations[kernels].WeightGradient(dY, x, dWeights, dBias, rows, inputs, outputs);

        expectedWeights.AssertClose(dWeights, Relative, Absolute, "dWeights");
        expectedBias.AssertClose(dBias, Relative, Absolute, "dBias");
        GuardedBuffer.AssertGuardIntact(dWeights, inputs * outputs, "dWeights");
        GuardedBuffer.AssertGuardIntact(dBias, outputs, "dBias");
    }

    [Theory]
    [InlineData(128, 784, 256)]
    [InlineData(255, 129, 257)]
    [InlineData(7, 300, 1000)]
    public void ResultsAreBitIdenticalAtAnyThreadCount(int rows, int inputs, int outputs)
    {
        foreach (string path in DenseKernels.Supported)
        {
            var random = new Xoshiro256StarStar(rows + inputs + outputs);
            float[] x = GuardedBuffer.Random(random, rows * inputs);
            float[] weights = GuardedBuffer.Random(random, outputs * inputs);
            float[] bias = GuardedBuffer.Random(random, outputs);
            float[] dY = GuardedBuffer.Random(random, rows * outputs);
            (float[] Y, float[] DX, float[] DW, float[] DB) Run(int threads)
            {
                DenseKernels kernels = DenseKernels.Create(threads, path);
                float[] y = new float[rows * outputs], dX = new float[rows * inputs], dW = new float[outputs * inputs], dB = new float[outputs];
                kernels.Forward(x, weights, bias, y, rows, inputs, outputs);
                kernels.InputGradient(dY, weights, dX, rows, inputs, outputs);
                kernels.WeightGradient(dY, x, dW, dB, rows, inputs, outputs);
                return (y, dX, dW, dB);
            }
            var one = Run(1);
            foreach (int threads in new[] { 2, 4 })
            {
                var many = Run(threads);
                Assert.Equal(one.Y, many.Y);
                Assert.Equal(one.DX, many.DX);
                Assert.Equal(one.DW, many.DW);
                Assert.Equal(one.DB, many.DB);
            }
        }
    }

    [Fact]
    public void TheWidestSupportedPathIsChosenByDefault()
    {
        string expected = Environment.GetEnvironmentVariable(DenseKernels.EnvironmentVariable) is { Length: > 0 } forced
            ? forced
            : System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "Vector512"
            : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "Vector256" : "Portable";
        Assert.Equal(expected, DenseKernels.Default.Name);
    }

    [Fact]
    public void BuffersShorterThanTheShapeAreRejected()
    {
        foreach (DenseKernels kernels in Implementations.Values)
        {
            float[] x = new float[6], weights = new float[6], bias = new float[2], y = new float[4];
            Assert.Throws<ArgumentException>(() => kernels.Forward(x, weights, bias, y.AsSpan(0, 3), 2, 3, 2));
            Assert.Throws<ArgumentException>(() => kernels.Forward(x.AsSpan(0, 5), weights, bias, y, 2, 3, 2));
            Assert.Throws<ArgumentException>(() => kernels.Forward(x, weights, bias.AsSpan(0, 1), y, 2, 3, 2));
            Assert.Throws<ArgumentException>(() => kernels.InputGradient(y, weights, x.AsSpan(0, 5), 2, 3, 2));
            Assert.Throws<ArgumentException>(() => kernels.WeightGradient(y, x, weights.AsSpan(0, 5), bias, 2, 3, 2));
            Assert.Throws<ArgumentException>(() => kernels.WeightGradient(y, x, weights, bias.AsSpan(0, 1), 2, 3, 2));
        }
    }
}
