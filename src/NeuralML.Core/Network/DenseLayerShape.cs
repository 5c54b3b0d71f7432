namespace NeuralML.Network;

/// <summary>Where one dense layer's weights (inputs, outputs), row-major, and biases (outputs) lie in the network's parameter buffer.</summary>
internal readonly record struct DenseLayerShape(int Inputs, int Outputs, Activation Activation, int WeightOffset)
{
    public int WeightCount => Inputs * Outputs;
    public int BiasOffset => WeightOffset + WeightCount;
    public int ParameterCount => WeightCount + Outputs;
    public int End => WeightOffset + ParameterCount;
}
