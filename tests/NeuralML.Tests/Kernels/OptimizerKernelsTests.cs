using NeuralML.Kernels;
using NeuralML.Numerics;

namespace NeuralML.Tests.Kernels;

/// <summary>
/// The vectorised optimizer updates against plain scalar loops of the same float formulas, at every length from 0 to
/// 67 (vector bodies and tails) and at a length the worker pool splits. The kernels promise no FMA contraction, so the
/// comparison is exact.
/// </summary>
public class OptimizerKernelsTests
{
    private const float Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f, StepSize = 0.0031f, RootCorrection2 = 0.0447f;

    private static (float[] P, float[] G, float[] M, float[] V) Buffers(int length, int seed)
    {
        var random = new Xoshiro256StarStar(seed);
        float[] Fill() => Enumerable.Range(0, length).Select(_ => random.NextSingle() * 2 - 1).ToArray();
        float[] v = Fill();
        for (int i = 0; i < length; i++) v[i] = Math.Abs(v[i]);
        return (Fill(), Fill(), Fill(), v);
    }

    private static void ScalarAdam(float[] p, float[] g, float[] m, float[] v)
    {
        for (int i = 0; i < p.Length; i++)
        {
            float mi = Beta1 * m[i] + (1f - Beta1) * g[i];
            float vi = Beta2 * v[i] + (1f - Beta2) * g[i] * g[i];
            m[i] = mi;
            v[i] = vi;
            p[i] -= StepSize * mi / (MathF.Sqrt(vi) / RootCorrection2 + Epsilon);
        }
    }

    private static void ScalarSgd(float[] p, float[] g, float[] velocity, float lr, float mu, bool nesterov)
    {
        for (int i = 0; i < p.Length; i++)
        {
            float vi = mu * velocity[i] + g[i];
            velocity[i] = vi;
            p[i] -= lr * (nesterov ? g[i] + mu * vi : vi);
        }
    }

    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int n = 0; n <= 67; n++) data.Add(n);
        data.Add(200_003); // split across the worker pool
        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Adam_matches_the_scalar_formula_exactly(int length)
    {
        var (p, g, m, v) = Buffers(length, length + 1);
        var (rp, rg, rm, rv) = Buffers(length, length + 1);
        OptimizerKernels.Adam(p, g, m, v, StepSize, Beta1, Beta2, Epsilon, RootCorrection2, threads: 4);
        ScalarAdam(rp, rg, rm, rv);
        Assert.Equal(rp, p);
        Assert.Equal(rm, m);
        Assert.Equal(rv, v);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Sgd_matches_the_scalar_formula_exactly(int length)
    {
        foreach (bool nesterov in new[] { false, true })
        {
            var (p, g, velocity, _) = Buffers(length, length + 2);
            var (rp, rg, rvelocity, _) = Buffers(length, length + 2);
            OptimizerKernels.Sgd(p, g, velocity, 0.05f, 0.9f, nesterov, threads: 4);
            ScalarSgd(rp, rg, rvelocity, 0.05f, 0.9f, nesterov);
            Assert.Equal(rp, p);
            Assert.Equal(rvelocity, velocity);
        }
    }
}
