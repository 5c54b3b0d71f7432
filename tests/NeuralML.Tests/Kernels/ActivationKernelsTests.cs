using NeuralML.Kernels;
using NeuralML.Numerics;

namespace NeuralML.Tests.Kernels;

/// <summary>
/// <see cref="ActivationKernels"/> against <see cref="ScalarReference"/> at every length from 0 to 67 (so every
/// vector width and tail is crossed), and the derivatives against central differences of <see cref="ActivationKernels.Apply"/>.
/// </summary>
public class ActivationKernelsTests
{
    private const int MaxLength = 67;

    /// <summary>Every activation <see cref="ActivationKernels.Apply"/> computes alone (PReLU needs its slopes).</summary>
    public static TheoryData<Activation> Activations() => new(Enum.GetValues<Activation>().Where(a => a != Activation.PRelu));

    /// <summary>The activations whose derivative is computed from their output.</summary>
    public static TheoryData<Activation> OutputDerivativeActivations() => new(Enum.GetValues<Activation>().Where(a => !ActivationKernels.NeedsInput(a)));

    /// <summary>The activations whose derivative is computed from their input (PReLU has its own backward).</summary>
    public static TheoryData<Activation> InputDerivativeActivations() => new(Activation.Gelu, Activation.Silu);

    /// <summary>Values in [−8, 8), with the special points 0, −0 and large magnitudes mixed in.</summary>
    private static float[] Inputs(Xoshiro256StarStar random, int length)
    {
        float[] buffer = GuardedBuffer.Filled(length, 0f);
        ReadOnlySpan<float> special = [0f, -0f, 30f, -30f, 87f, -87f, 1e-30f, -1e-30f];
        for (int i = 0; i < length; i++)
            buffer[i] = i % 11 == 5 ? special[i / 11 % special.Length] : (float)(16 * random.NextDouble() - 8);
        return buffer;
    }

    /// <summary>
    /// Tolerance: |error| ≤ 1e-6·|f(z)| + 1e-6 — a few float ulps for the vectorised exp/tanh approximations of
    /// TensorPrimitives, with an absolute floor for outputs that round to nearly zero (sigmoid far left, tanh near 0).
    /// </summary>
    [Theory]
    [MemberData(nameof(Activations))]
    public void ApplyMatchesReference(Activation activation)
    {
        var random = new Xoshiro256StarStar(17 + (int)activation);
        for (int length = 0; length <= MaxLength; length++)
        {
            float[] values = Inputs(random, length);
            float[] z = values[..length];

            ActivationKernels.Apply(activation, values.AsSpan(0, length));

            for (int i = 0; i < length; i++)
            {
                double expected = ScalarReference.Activate(activation, z[i]);
                double tolerance = 1e-6 * Math.Abs(expected) + 1e-6;
                Assert.True(Math.Abs(values[i] - expected) <= tolerance,
                    $"{activation}({z[i]:R}) = {values[i]:R}, reference {expected:R} (length {length}, index {i}).");
            }
            GuardedBuffer.AssertGuardIntact(values, length, "values");
        }
    }

    /// <summary>
    /// gradient·f'(z) with f'(z) computed by the kernel from the float output f(z), against f'(z) computed in double
    /// from z. Tolerance: |error| ≤ 1e-5·|g·f'(z)| + 2e-6·|g| — the kernel's derivative inherits the rounding of the
    /// float output (for tanh and sigmoid near saturation 1 − f² and f(1 − f) lose digits; an absolute 2e-6 covers it).
    /// </summary>
    [Theory]
    [MemberData(nameof(OutputDerivativeActivations))]
    public void MultiplyByDerivativeMatchesReference(Activation activation)
    {
        var random = new Xoshiro256StarStar(31 + (int)activation);
        for (int length = 0; length <= MaxLength; length++)
        {
            float[] output = Inputs(random, length);
            float[] z = output[..length];
            ActivationKernels.Apply(activation, output.AsSpan(0, length));
            float[] gradient = GuardedBuffer.Filled(length, 0f);
            for (int i = 0; i < length; i++) gradient[i] = (float)(4 * random.NextDouble() - 2);
            float[] upstream = gradient[..length];

            ActivationKernels.MultiplyByDerivative(activation, output.AsSpan(0, length), gradient.AsSpan(0, length));

            for (int i = 0; i < length; i++)
            {
                double expected = upstream[i] * ScalarReference.Derivative(activation, z[i]);
                double tolerance = 1e-5 * Math.Abs(expected) + 2e-6 * Math.Abs(upstream[i]);
                Assert.True(Math.Abs(gradient[i] - expected) <= tolerance,
                    $"{activation}'({z[i]:R})·{upstream[i]:R} = {gradient[i]:R}, reference {expected:R} (length {length}, index {i}).");
            }
            GuardedBuffer.AssertGuardIntact(gradient, length, "gradient");
        }
    }

    /// <summary>
    /// The derivative the kernel computes from f(z) against the central difference (f(z + h) − f(z − h)) / 2h of the
    /// float <see cref="ActivationKernels.Apply"/>, h = 1e-2, at |z| ∈ [0.05, 6] so that [z − h, z + h] never crosses a
    /// kink. The divisor is the float distance between the two points actually evaluated. Error budget: truncation
    /// h²/6·|f'''| ≤ 2e-5·|f'''| (|f'''| ≤ 2 here) plus rounding 2⁻²⁴·|f| / h ≤ 4e-5·|f|; tolerance 2e-3·|f'| + 5e-4.
    /// </summary>
    [Theory]
    [MemberData(nameof(Activations))]
    public void DerivativeMatchesCentralDifference(Activation activation)
    {
        const double h = 1e-2;
        var random = new Xoshiro256StarStar(47 + (int)activation);
        const int count = 200;
        var z = new float[count];
        for (int i = 0; i < count; i++)
        {
            double magnitude = 0.05 + 5.95 * random.NextDouble();
            z[i] = (float)(i % 2 == 0 ? magnitude : -magnitude);
        }
        var plus = new float[count];
        var minus = new float[count];
        for (int i = 0; i < count; i++)
        {
            plus[i] = (float)(z[i] + h);
            minus[i] = (float)(z[i] - h);
        }
        float[] output = (float[])z.Clone();
        float[] derivative = new float[count];
        derivative.AsSpan().Fill(1f);
        float[] fPlus = (float[])plus.Clone(), fMinus = (float[])minus.Clone();

        ActivationKernels.Apply(activation, output);
        if (ActivationKernels.NeedsInput(activation)) ActivationKernels.MultiplyByDerivativeOfInput(activation, z, derivative);
        else ActivationKernels.MultiplyByDerivative(activation, output, derivative);
        ActivationKernels.Apply(activation, fPlus);
        ActivationKernels.Apply(activation, fMinus);

        for (int i = 0; i < count; i++)
        {
            double central = ((double)fPlus[i] - fMinus[i]) / ((double)plus[i] - minus[i]);
            double tolerance = 2e-3 * Math.Abs(central) + 5e-4;
            Assert.True(Math.Abs(derivative[i] - central) <= tolerance,
                $"{activation}'({z[i]:R}): from the output {derivative[i]:R}, central difference {central:R}.");
        }
    }

    /// <summary>
    /// gradient·f'(z) from the input z, against f'(z) in double. Tolerance 1e-5·|g·f'(z)| + 2e-6·|g|: GELU's Φ carries
    /// the approximation's 1.5e-7 and the float rounding of e^(−z²/2).
    /// </summary>
    [Theory]
    [MemberData(nameof(InputDerivativeActivations))]
    public void MultiplyByDerivativeOfInputMatchesReference(Activation activation)
    {
        var random = new Xoshiro256StarStar(61 + (int)activation);
        for (int length = 0; length <= MaxLength; length++)
        {
            float[] z = Inputs(random, length);
            float[] gradient = GuardedBuffer.Filled(length, 0f);
            for (int i = 0; i < length; i++) gradient[i] = (float)(4 * random.NextDouble() - 2);
            float[] upstream = gradient[..length];

            ActivationKernels.MultiplyByDerivativeOfInput(activation, z.AsSpan(0, length), gradient.AsSpan(0, length));

            for (int i = 0; i < length; i++)
            {
                double expected = upstream[i] * ScalarReference.Derivative(activation, z[i]);
                double tolerance = 1e-5 * Math.Abs(expected) + 2e-6 * Math.Abs(upstream[i]);
                Assert.True(Math.Abs(gradient[i] - expected) <= tolerance,
                    $"{activation}'({z[i]:R})·{upstream[i]:R} = {gradient[i]:R}, reference {expected:R} (length {length}, index {i}).");
            }
            GuardedBuffer.AssertGuardIntact(gradient, length, "gradient");
        }
    }

    /// <summary>PReLU forward exactly (one multiplication), and backward: the input gradient exactly, the slope gradient accumulated.</summary>
    [Fact]
    public void PReluMatchesReference()
    {
        var random = new Xoshiro256StarStar(71);
        for (int length = 0; length <= MaxLength; length++)
        {
            float[] z = Inputs(random, length);
            float[] slopes = GuardedBuffer.Filled(length, 0f);
            for (int i = 0; i < length; i++) slopes[i] = (float)random.NextDouble();
            float[] values = (float[])z.Clone();
            ActivationKernels.ApplyPRelu(values.AsSpan(0, length), slopes);
            for (int i = 0; i < length; i++) Assert.Equal((float)ScalarReference.PRelu(z[i], slopes[i]), values[i]);
            GuardedBuffer.AssertGuardIntact(values, length, "values");

            float[] gradient = GuardedBuffer.Filled(length, 0f), dSlopes = GuardedBuffer.Filled(length, 0f);
            for (int i = 0; i < length; i++)
            {
                gradient[i] = (float)(4 * random.NextDouble() - 2);
                dSlopes[i] = (float)random.NextDouble(); // accumulated into
            }
            float[] upstream = gradient[..length], slopeStart = dSlopes[..length];
            ActivationKernels.PReluBackward(z.AsSpan(0, length), slopes, gradient.AsSpan(0, length), dSlopes.AsSpan(0, length));
            for (int i = 0; i < length; i++)
            {
                Assert.Equal(z[i] > 0 ? upstream[i] : upstream[i] * slopes[i], gradient[i]);
                Assert.Equal(slopeStart[i] + upstream[i] * (z[i] > 0 ? 0f : z[i]), dSlopes[i]);
            }
            GuardedBuffer.AssertGuardIntact(gradient, length, "gradient");
            GuardedBuffer.AssertGuardIntact(dSlopes, length, "dSlopes");
        }
    }

    [Fact]
    public void Activations_that_need_their_input_refuse_the_output_path()
    {
        Assert.Throws<ArgumentException>(() => ActivationKernels.Apply(Activation.PRelu, new float[2]));
        foreach (Activation activation in new[] { Activation.PRelu, Activation.Gelu, Activation.Silu })
            Assert.Throws<ArgumentException>(() => ActivationKernels.MultiplyByDerivative(activation, new float[2], new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ActivationKernels.MultiplyByDerivativeOfInput(Activation.Tanh, new float[2], new float[2]));
    }

    [Fact]
    public void MultiplyByDerivativeRejectsMismatchedLengths()
    {
        Assert.Throws<ArgumentException>(() => ActivationKernels.MultiplyByDerivative(Activation.Tanh, new float[3], new float[4]));
    }

    [Fact]
    public void UnknownActivationIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ActivationKernels.Apply((Activation)99, new float[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ActivationKernels.MultiplyByDerivative((Activation)99, new float[1], new float[1]));
    }
}
