using System.Numerics.Tensors;

namespace NeuralML.Kernels;

/// <summary>
/// Dense-layer products as row-by-row dot products and axpy updates on <see cref="TensorPrimitives"/>.
/// Correct on every machine; single-threaded, so its results do not depend on the thread count.
/// </summary>
internal sealed class PortableDenseKernels : IDenseKernels
{
    public static readonly PortableDenseKernels Instance = new();

    public string Name => "Portable";

    public void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y,
        int rows, int inputs, int outputs)
    {
        DenseShape.Check(x, rows, inputs, nameof(x));
        DenseShape.Check(weights, outputs, inputs, nameof(weights));
        DenseShape.Check(y, rows, outputs, nameof(y));
        if (bias.Length < outputs) throw new ArgumentException("Bias is shorter than the number of outputs.", nameof(bias));

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xRow = x.Slice(r * inputs, inputs);
            Span<float> yRow = y.Slice(r * outputs, outputs);
            for (int o = 0; o < outputs; o++)
                yRow[o] = TensorPrimitives.Dot(xRow, weights.Slice(o * inputs, inputs)) + bias[o];
        }
    }

    public void InputGradient(ReadOnlySpan<float> dY, ReadOnlySpan<float> weights, Span<float> dX,
        int rows, int inputs, int outputs)
    {
        DenseShape.Check(dY, rows, outputs, nameof(dY));
        DenseShape.Check(weights, outputs, inputs, nameof(weights));
        DenseShape.Check(dX, rows, inputs, nameof(dX));

        for (int r = 0; r < rows; r++)
        {
            Span<float> dXRow = dX.Slice(r * inputs, inputs);
            dXRow.Clear();
            for (int o = 0; o < outputs; o++)
            {
                float g = dY[r * outputs + o];
                if (g != 0f) TensorPrimitives.MultiplyAdd(weights.Slice(o * inputs, inputs), g, dXRow, dXRow);
            }
        }
    }

    public void AccumulateWeightGradient(ReadOnlySpan<float> dY, ReadOnlySpan<float> x, Span<float> dWeights, Span<float> dBias,
        int rows, int inputs, int outputs)
    {
        DenseShape.Check(dY, rows, outputs, nameof(dY));
        DenseShape.Check(x, rows, inputs, nameof(x));
        DenseShape.Check(dWeights, outputs, inputs, nameof(dWeights));
        if (dBias.Length < outputs) throw new ArgumentException("Bias gradient is shorter than the number of outputs.", nameof(dBias));

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xRow = x.Slice(r * inputs, inputs);
            for (int o = 0; o < outputs; o++)
            {
                float g = dY[r * outputs + o];
                if (g == 0f) continue;
                Span<float> dWRow = dWeights.Slice(o * inputs, inputs);
                TensorPrimitives.MultiplyAdd(xRow, g, dWRow, dWRow);
                dBias[o] += g;
            }
        }
    }
}
