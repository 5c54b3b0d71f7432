using NeuralML.Kernels;
using NeuralML.Numerics;

namespace NeuralML.Tests.Kernels;

/// <summary>
/// <see cref="OptimizerKernels.RmsProp"/> against a plain scalar loop of the same float formula, at every length from 0
/// to 67 (vector bodies and tails) and at a length the worker pool splits, with and without momentum. The kernel
/// promises no FMA contraction, so the comparison is exact; guard zones after every buffer catch reads and writes past
/// the end.
/// </summary>
public class RmsPropKernelTests
{
    private const float LearningRate = 0.0031f, Rho = 0.9f, Epsilon = 1e-8f;

    private sealed record Buffers(float[] P, float[] G, float[] V, float[] B);

    private static Buffers Make(int length, int seed)
    {
        var random = new Xoshiro256StarStar(seed);
        var buffers = new Buffers(GuardedBuffer.RandomWithSentinel(random, length), GuardedBuffer.Random(random, length),
            GuardedBuffer.RandomWithSentinel(random, length), GuardedBuffer.RandomWithSentinel(random, length));
        for (int i = 0; i < length; i++) buffers.V[i] = Math.Abs(buffers.V[i]);
        return buffers;
    }

    private static void ScalarRmsProp(Buffers b, int length, float momentum)
    {
        for (int i = 0; i < length; i++)
        {
            float v = Rho * b.V[i] + (1f - Rho) * b.G[i] * b.G[i];
            b.V[i] = v;
            float direction = b.G[i] / (MathF.Sqrt(v) + Epsilon);
            if (momentum != 0f)
            {
                direction = momentum * b.B[i] + direction;
                b.B[i] = direction;
            }
            b.P[i] -= LearningRate * direction;
        }
    }

    [Theory]
    [MemberData(nameof(OptimizerKernelsTests.Lengths), MemberType = typeof(OptimizerKernelsTests))]
    public void RmsProp_matches_the_scalar_formula_exactly(int length)
    {
        foreach (float momentum in new[] { 0f, 0.9f })
        {
            Buffers kernel = Make(length, length + 3), reference = Make(length, length + 3);
            // Without momentum the kernel is given no buffer at all: it must not touch one.
            float[] momentumBuffer = momentum != 0f ? kernel.B : [];
            OptimizerKernels.RmsProp(kernel.P.AsSpan(0, length), kernel.G, kernel.V, momentumBuffer, LearningRate, Rho, Epsilon, momentum, threads: 4);
            ScalarRmsProp(reference, length, momentum);
            Assert.Equal(reference.P, kernel.P);
            Assert.Equal(reference.V, kernel.V);
            Assert.Equal(reference.B, kernel.B);
            GuardedBuffer.AssertGuardIntact(kernel.P, length, "p");
            GuardedBuffer.AssertGuardIntact(kernel.V, length, "v");
            GuardedBuffer.AssertGuardIntact(kernel.B, length, "b");
        }
    }

    [Fact]
    public void RmsProp_rejects_short_buffers()
    {
        float[] p = new float[8], shortBuffer = new float[7];
        Assert.Throws<ArgumentException>(() => OptimizerKernels.RmsProp(p, shortBuffer, new float[8], [], LearningRate, Rho, Epsilon, 0f));
        Assert.Throws<ArgumentException>(() => OptimizerKernels.RmsProp(p, new float[8], shortBuffer, [], LearningRate, Rho, Epsilon, 0f));
        Assert.Throws<ArgumentException>(() => OptimizerKernels.RmsProp(p, new float[8], new float[8], shortBuffer, LearningRate, Rho, Epsilon, 0.9f));
    }
}
