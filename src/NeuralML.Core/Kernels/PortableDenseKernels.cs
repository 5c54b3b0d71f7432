using System.Numerics.Tensors;

namespace NeuralML.Kernels;

/// <summary>
/// Dense-layer products as row-by-row axpy updates and dot products on <see cref="TensorPrimitives"/>.
/// Correct on every machine; single-threaded, so its results do not depend on the thread count.
/// </summary>
internal sealed class PortableDenseKernels : DenseKernels
{
    public static readonly PortableDenseKernels Instance = new();

    public override string Name => "Portable";

    private protected override SparseKernels CreateSparse() => new SparseKernels<SimdScalar>(1);

    /// <summary>The portable loops run on the calling thread only.</summary>
    public override DenseKernels WithThreads(int threads) => this;

    private protected override void ForwardCore(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y,
        int rows, int inputs, int outputs, Activation activation)
    {
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

    private protected override void InputGradientCore(ReadOnlySpan<float> dY, ReadOnlySpan<float> weights, Span<float> dX, int rows, int inputs, int outputs)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> dYRow = dY.Slice(r * outputs, outputs);
            for (int i = 0; i < inputs; i++)
                dX[r * inputs + i] = TensorPrimitives.Dot(dYRow, weights.Slice(i * outputs, outputs));
        }
    }

    private protected override void WeightGradientCore(ReadOnlySpan<float> dY, ReadOnlySpan<float> x, Span<float> dWeights, Span<float> dBias,
        int rows, int inputs, int outputs)
    {
        dWeights[..(inputs * outputs)].Clear();
        dBias[..outputs].Clear();
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
