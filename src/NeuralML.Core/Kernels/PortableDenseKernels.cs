using System.Numerics.Tensors;

namespace NeuralML.Kernels;

/// <summary>
/// Dense-layer products as row-by-row axpy updates and dot products on <see cref="TensorPrimitives"/>.
/// Correct on every machine; single-threaded, so its results do not depend on the thread count.
/// </summary>
internal sealed class PortableDenseKernels : IDenseKernels
{
    public static readonly PortableDenseKernels Instance = new();

    public string Name => "Portable";

    public void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y,
        int rows, int inputs, int outputs, Activation activation = Activation.Identity)
    {
        DenseShape.Check(x, rows, inputs, nameof(x));
        DenseShape.Check(weights, inputs, outputs, nameof(weights));
        DenseShape.Check(y, rows, outputs, nameof(y));
        if (bias.Length < outputs) throw new ArgumentException("Bias is shorter than the number of outputs.", nameof(bias));

        for (int r = 0; r < rows; r++)
        {
            Span<float> yRow = y.Slice(r * outputs, outputs);
            bias[..outputs].CopyTo(yRow);
            for (int i = 0; i < inputs; i++)
            {
                float xi = x[r * inputs + i];
                if (xi != 0f) TensorPrimitives.MultiplyAdd(weights.Slice(i * outputs, outputs), xi, yRow, yRow);
            }
            ActivationKernels.Apply(activation, yRow);
        }
    }

    public void InputGradient(ReadOnlySpan<float> dY, ReadOnlySpan<float> weights, Span<float> dX,
        int rows, int inputs, int outputs)
    {
        DenseShape.Check(dY, rows, outputs, nameof(dY));
        DenseShape.Check(weights, inputs, outputs, nameof(weights));
        DenseShape.Check(dX, rows, inputs, nameof(dX));

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> dYRow = dY.Slice(r * outputs, outputs);
            for (int i = 0; i < inputs; i++)
                dX[r * inputs + i] = TensorPrimitives.Dot(dYRow, weights.Slice(i * outputs, outputs));
        }
    }

    public void AccumulateWeightGradient(ReadOnlySpan<float> dY, ReadOnlySpan<float> x, Span<float> dWeights, Span<float> dBias,
        int rows, int inputs, int outputs, bool overwrite = false)
    {
        DenseShape.Check(dY, rows, outputs, nameof(dY));
        DenseShape.Check(x, rows, inputs, nameof(x));
        DenseShape.Check(dWeights, inputs, outputs, nameof(dWeights));
        if (dBias.Length < outputs) throw new ArgumentException("Bias gradient is shorter than the number of outputs.", nameof(dBias));
        if (overwrite)
        {
            dWeights[..(inputs * outputs)].Clear();
            dBias[..outputs].Clear();
        }

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> dYRow = dY.Slice(r * outputs, outputs);
            for (int i = 0; i < inputs; i++)
            {
                float xi = x[r * inputs + i];
                if (xi == 0f) continue;
                Span<float> dWRow = dWeights.Slice(i * outputs, outputs);
                TensorPrimitives.MultiplyAdd(dYRow, xi, dWRow, dWRow);
            }
            TensorPrimitives.Add(dBias[..outputs], dYRow, dBias[..outputs]);
        }
    }
}
