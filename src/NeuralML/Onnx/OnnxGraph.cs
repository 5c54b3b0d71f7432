namespace NeuralML.Onnx;

/// <summary>An ONNX graph under construction: nodes, initializers, inputs and outputs, with unique tensor names.</summary>
internal sealed class OnnxGraph
{
    private readonly List<byte[]> _nodes = [], _initializers = [], _inputs = [], _outputs = [];
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
        _initializers.Add(OnnxProto.FloatTensor(name, dims, values));
        return name;
    }

    public string AddInt64Initializer(string hint, long[] dims, long[] values)
    {
        string name = Unique(hint);
        _initializers.Add(OnnxProto.Int64Tensor(name, dims, values));
        return name;
    }

    public string AddStringInitializer(string hint, long[] dims, string[] values)
    {
        string name = Unique(hint);
        _initializers.Add(OnnxProto.StringTensor(name, dims, values));
        return name;
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string AddNode(string opType, string[] inputs, string outputHint, params byte[][] attributes)
    {
        string output = Unique(outputHint);
        _nodes.Add(OnnxProto.Node(opType, Unique($"{opType}_{output}"), inputs, [output], attributes));
        return output;
    }

    public void AddInput(string name, OnnxProto.DataType type, long?[] shape)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"The graph already has a tensor named '{name}'.");
        _inputs.Add(OnnxProto.TensorValueInfo(name, type, shape));
    }

    /// <summary>Declares <paramref name="tensor"/> as a graph output named <paramref name="outputName"/>.</summary>
    public void AddOutput(string tensor, string outputName, OnnxProto.DataType type, long?[] shape)
    {
        string name = Unique(outputName);
        if (name != outputName) throw new InvalidOperationException($"Two graph outputs would be named '{outputName}'.");
        _nodes.Add(OnnxProto.Node("Identity", Unique($"Identity_{name}"), [tensor], [name], []));
        _outputs.Add(OnnxProto.TensorValueInfo(name, type, shape));
    }

    public byte[] ToModel(string graphName, long irVersion, long opset, string producerVersion)
        => OnnxProto.Model(irVersion, "NeuralML", producerVersion, OnnxProto.Graph(graphName, _nodes, _initializers, _inputs, _outputs), opset);
}
