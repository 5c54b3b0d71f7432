
namespace NeuralML.Tests.Kernels;

/// <summary>
/// Plain loops in double precision that define what the kernels compute. Every product also returns, per output value,
/// the sum of the magnitudes of the terms it adds (Σ|a_i·b_i|, plus |bias| or |the accumulator's old value|): the
/// scale of the rounding error a float kernel may make, whatever order it sums in.
/// </summary>
internal static class ScalarReference
{
    /// <summary>y = x·W + b. x is (rows, inputs), W is (inputs, outputs); y is (rows, outputs).</summary>
    public static Reference Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        int rows, int inputs, int outputs)
    {
        var result = new Reference(rows * outputs);
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outputs; o++)
            {
                double sum = bias[o], magnitude = Math.Abs(bias[o]);
                for (int i = 0; i < inputs; i++)
                {
                    double term = (double)x[r * inputs + i] * weights[i * outputs + o];
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                result.Values[r * outputs + o] = sum;
                result.Magnitudes[r * outputs + o] = magnitude;
            }
        }
        return result;
    }

    /// <summary>dX = dY·Wᵀ. dY is (rows, outputs), W is (inputs, outputs); dX is (rows, inputs).</summary>
    public static Reference InputGradient(ReadOnlySpan<float> dY, ReadOnlySpan<float> weights, int rows, int inputs, int outputs)
    {
        var result = new Reference(rows * inputs);
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < inputs; i++)
            {
                double sum = 0, magnitude = 0;
                for (int o = 0; o < outputs; o++)
                {
                    double term = (double)dY[r * outputs + o] * weights[i * outputs + o];
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                result.Values[r * inputs + i] = sum;
                result.Magnitudes[r * inputs + i] = magnitude;
            }
        }
        return result;
    }

    /// <summary>
    /// dW = xᵀ·dY and dB = the column sums of dY. dY is (rows, outputs), x is (rows, inputs); dW is (inputs, outputs),
    /// dB is (outputs).
    /// </summary>
    public static (Reference DWeights, Reference DBias) WeightGradient(ReadOnlySpan<float> dY, ReadOnlySpan<float> x, int rows, int inputs, int outputs)
    {
        var dW = new Reference(inputs * outputs);
        var dB = new Reference(outputs);
        for (int o = 0; o < outputs; o++)
        {
            for (int i = 0; i < inputs; i++)
            {
                double sum = 0, magnitude = 0;
                for (int r = 0; r < rows; r++)
                {
                    double term = (double)dY[r * outputs + o] * x[r * inputs + i];
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                dW.Values[i * outputs + o] = sum;
                dW.Magnitudes[i * outputs + o] = magnitude;
            }

            double biasSum = 0, biasMagnitude = 0;
            for (int r = 0; r < rows; r++)
            {
                biasSum += dY[r * outputs + o];
                biasMagnitude += Math.Abs(dY[r * outputs + o]);
            }
            dB.Values[o] = biasSum;
            dB.Magnitudes[o] = biasMagnitude;
        }
        return (dW, dB);
    }

    /// <summary>f(z) for each activation, with the constants of <see cref="NeuralML.Kernels.ActivationKernels"/>.</summary>
    public static double Activate(Activation activation, double z) => activation switch
    {
        Activation.Relu => z > 0 ? z : 0,
        Activation.LeakyRelu => z > 0 ? z : 0.01 * z,
        Activation.Elu => z > 0 ? z : Math.Exp(z) - 1,
        Activation.Tanh => Math.Tanh(z),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-z)),
        Activation.Identity => z,
        Activation.Selu => SeluLambda * (z > 0 ? z : SeluAlpha * (Math.Exp(z) - 1)),
        Activation.Gelu => 0.5 * z * (1 + Erf(z / Math.Sqrt(2))),
        Activation.Silu => z / (1 + Math.Exp(-z)),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>PReLU with slope a: z for z &gt; 0, a·z otherwise.</summary>
    public static double PRelu(double z, double slope) => z > 0 ? z : slope * z;

    /// <summary>SELU's constants to double precision (Klambauer et al. 2017).</summary>
    public const double SeluLambda = 1.0507009873554804934193349852946, SeluAlpha = 1.6732632423543772848170429916717;

    /// <summary>
    /// erf in double, independent of the kernel's approximation: the Maclaurin series for |x| &lt; 3 (terms shrink
    /// geometrically there; 60 terms reach double precision) and 1 − erfc from the continued fraction beyond.
    /// </summary>
    public static double Erf(double x)
    {
        double a = Math.Abs(x);
        double result;
        if (a < 3)
        {
            double term = a, sum = a;
            for (int n = 1; n < 100; n++)
            {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            result = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            // erfc(a) = e^(−a²)/√π · 1/(a + 1/2/(a + 1/(a + 3/2/(a + ...)))), evaluated from the tail.
            double fraction = a;
            for (int k = 60; k >= 1; k--) fraction = a + k / 2.0 / fraction;
            result = 1 - Math.Exp(-a * a) / Math.Sqrt(Math.PI) / fraction;
        }
        return x < 0 ? -result : result;
    }

    /// <summary>f'(z), computed from z (the kernel computes it from f(z)). At z = 0 the ReLU family takes the left slope.</summary>
    public static double Derivative(Activation activation, double z) => activation switch
    {
        Activation.Relu => z > 0 ? 1 : 0,
        Activation.LeakyRelu => z > 0 ? 1 : 0.01,
        Activation.Elu => z > 0 ? 1 : Math.Exp(z),
        Activation.Tanh => 1 - Math.Tanh(z) * Math.Tanh(z),
        Activation.Sigmoid => Math.Exp(-Math.Abs(z)) / ((1 + Math.Exp(-Math.Abs(z))) * (1 + Math.Exp(-Math.Abs(z)))),
        Activation.Identity => 1,
        Activation.Selu => z > 0 ? SeluLambda : SeluLambda * SeluAlpha * Math.Exp(z),
        Activation.Gelu => 0.5 * (1 + Erf(z / Math.Sqrt(2))) + z * Math.Exp(-z * z / 2) / Math.Sqrt(2 * Math.PI),
        Activation.Silu => 1 / (1 + Math.Exp(-z)) * (1 + z * (1 - 1 / (1 + Math.Exp(-z)))),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };
}

/// <summary>Reference values and, for each, the sum of magnitudes of the terms that made it.</summary>
internal sealed class Reference(int length)
{
    public double[] Values { get; } = new double[length];

    public double[] Magnitudes { get; } = new double[length];

    /// <summary>Asserts |actual − value| ≤ relative·magnitude + absolute for every value.</summary>
    public void AssertClose(ReadOnlySpan<float> actual, double relative, double absolute, string what)
    {
        for (int i = 0; i < Values.Length; i++)
        {
            double error = Math.Abs(actual[i] - Values[i]);
            double tolerance = relative * Magnitudes[i] + absolute;
            Assert.True(error <= tolerance,
                $"{what}[{i}] = {actual[i]:R}, reference {Values[i]:R}: error {error:E3} > tolerance {tolerance:E3}.");
        }
    }
}
