using Google.Protobuf;
using NeuralML.Onnx.Proto;

namespace NeuralML.Onnx;

/// <summary>An ONNX graph under construction: nodes, initializers, inputs and outputs, with unique tensor names.</summary>
internal sealed class OnnxGraph
{
    private readonly GraphProto _graph = new();
    private readonly HashSet<string> _names = [];

    /// <summary>A tensor name not used yet, from <paramref name="hint"/>.</summary>
    public string Unique(string hint)
    {
        string name = hint;
        for (int i = 1; !_names.Add(name); i++) name = $"{hint}_{i}";
        return name;
    }

    public string AddFloatInitializer(string hint, long[] dims, ReadOnlySpan<float> values)
    {
        string name = Unique(hint);
        _graph.Initializer.Add(OnnxProto.FloatTensor(name, dims, values));
        return name;
    }

    public string AddInt64Initializer(string hint, long[] dims, long[] values)
    {
        string name = Unique(hint);
        _graph.Initializer.Add(OnnxProto.Int64Tensor(name, dims, values));
        return name;
    }

    public string AddStringInitializer(string hint, long[] dims, string[] values)
    {
        string name = Unique(hint);
        _graph.Initializer.Add(OnnxProto.StringTensor(name, dims, values));
        return name;
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string AddNode(string opType, string[] inputs, string outputHint, params AttributeProto[] attributes)
    {
        string output = Unique(outputHint);
        AddNodeWithOutput(opType, inputs, output, attributes);
        return output;
    }

    private void AddNodeWithOutput(string opType, IEnumerable<string> inputs, string output, IEnumerable<AttributeProto> attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Unique($"{opType}_{output}") };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
    }

    public void AddInput(string name, OnnxProto.DataType type, long?[] shape)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"The graph already has a tensor named '{name}'.");
        _graph.Input.Add(OnnxProto.TensorValueInfo(name, type, shape));
    }

    /// <summary>Declares <paramref name="tensor"/> as a graph output named <paramref name="outputName"/>.</summary>
    public void AddOutput(string tensor, string outputName, OnnxProto.DataType type, long?[] shape)
    {
        string name = Unique(outputName);
        if (name != outputName) throw new InvalidOperationException($"Two graph outputs would be named '{outputName}'.");
        AddNodeWithOutput("Identity", [tensor], name, []);
        _graph.Output.Add(OnnxProto.TensorValueInfo(name, type, shape));
    }

    public byte[] ToModel(string graphName, long irVersion, long opset, string producerVersion)
    {
        _graph.Name = graphName;
        var model = new ModelProto { IrVersion = irVersion, ProducerName = "NeuralML", ProducerVersion = producerVersion, Graph = _graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model.ToByteArray();
    }
}
