using NeuralML.Kernels;

namespace NeuralML.Network;

/// <summary>
/// Where one dense layer's parameters lie in the network's buffer: its weights (inputs, outputs), row-major, then its
/// biases (outputs), then, for PReLU, its learned slopes (outputs).
/// </summary>
internal readonly record struct DenseLayerShape(int Inputs, int Outputs, Activation Activation, int WeightOffset)
{
    public int WeightCount => Inputs * Outputs;
    public int BiasOffset => WeightOffset + WeightCount;
    public int SlopeOffset => BiasOffset + Outputs;
    public int SlopeCount => Activation == Activation.PRelu ? Outputs : 0;
    public int ParameterCount => WeightCount + Outputs + SlopeCount;
    public int End => WeightOffset + ParameterCount;

    /// <summary>Whether backward needs the pre-activation z (kept in the workspace) rather than the activation's output.</summary>
    public bool KeepsPreActivation => ActivationKernels.NeedsInput(Activation);

    /// <summary>The parameter count of a layer of this shape, in 64 bits, for checks before anything is allocated.</summary>
    public static long CountParameters(long inputs, long outputs, Activation activation)
        => inputs * outputs + outputs + (activation == Activation.PRelu ? outputs : 0);
}
