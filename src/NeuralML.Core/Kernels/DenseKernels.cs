namespace NeuralML.Kernels;

/// <summary>The dense-layer kernels the network uses unless told otherwise.</summary>
internal static class DenseKernels
{
    public static IDenseKernels Default { get; } = PortableDenseKernels.Instance;
}
