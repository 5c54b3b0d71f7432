using NeuralML.Kernels;

namespace NeuralML.Network;

/// <summary>
/// Where one dense layer's parameters lie in the network's buffer: its weights (inputs, outputs), row-major, then its
/// biases (outputs); for PReLU, its learned slopes (outputs); with batch normalisation, its scale γ, shift β, running
/// mean and running variance (outputs each). The running statistics are not trained: they sit in the buffer so that
/// copies of the parameters (early stopping's best epoch) keep them with the weights, and their gradient is always 0.
/// </summary>
internal readonly record struct DenseLayerShape(int Inputs, int Outputs, Activation Activation, int WeightOffset, bool BatchNormalization = false)
{
    public int WeightCount => Inputs * Outputs;
    public int BiasOffset => WeightOffset + WeightCount;
    public int SlopeOffset => BiasOffset + Outputs;
    public int SlopeCount => Activation == Activation.PRelu ? Outputs : 0;

    /// <summary>γ, β, running mean, running variance: <see cref="Outputs"/> values each, from here (when <see cref="BatchNormalization"/>).</summary>
    public int NormalizationOffset => SlopeOffset + SlopeCount;

    public int NormalizationCount => BatchNormalization ? 4 * Outputs : 0;
    public int ParameterCount => WeightCount + Outputs + SlopeCount + NormalizationCount;
    public int End => WeightOffset + ParameterCount;

    /// <summary>Whether the activation's input is kept in the workspace: backward needs it (GELU, SiLU, PReLU) or batch normalisation makes it.</summary>
    public bool KeepsPreActivation => BatchNormalization || ActivationKernels.NeedsInput(Activation);

    /// <summary>The parameter count of a layer of this shape, in 64 bits, for checks before anything is allocated.</summary>
    public static long CountParameters(long inputs, long outputs, Activation activation, bool batchNormalization = false)
        => inputs * outputs + outputs + (activation == Activation.PRelu ? outputs : 0) + (batchNormalization ? 4 * outputs : 0);
}
