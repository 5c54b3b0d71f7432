using Google.Protobuf;
using NeuralML.Onnx.Proto;

namespace NeuralML.Onnx;

/// <summary>
/// An ONNX graph under construction: nodes, initializers, inputs and outputs, with unique tensor and node names. It may
/// start from another model's graph (<see cref="Adopt"/>: ML.NET's export of the transformers before the network),
/// whose nodes are brought to this graph's opset. <see cref="ToModel"/> keeps only what the outputs depend on.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly GraphProto _graph = new();
    private readonly HashSet<string> _names = [];
    private readonly Dictionary<string, long> _otherDomains = [];
    private long _adoptedIrVersion;

    /// <summary>A tensor or node name not used yet, from <paramref name="hint"/>.</summary>
    public string Unique(string hint)
    {
        string name = hint;
        for (int i = 1; !_names.Add(name); i++) name = $"{hint}_{i}";
        return name;
    }

    /// <summary>
    /// Starts from <paramref name="model"/>'s graph (before anything else is added): its nodes, initializers and
    /// inputs become this graph's, and its names are taken; its outputs are dropped (the caller reads the tensors
    /// behind them and declares its own). Nodes of the default domain are brought from the model's opset to
    /// <paramref name="opset"/> (<see cref="OnnxOpsetUpgrade"/>).
    /// </summary>
    /// <returns>The names of the dropped outputs: tensors this graph can read.</returns>
    public IReadOnlySet<string> Adopt(ModelProto model, long opset)
    {
        if (_graph.Node.Count > 0 || _graph.Input.Count > 0) throw new InvalidOperationException("A graph can only start from another one.");
        GraphProto adopted = model.Graph;
        foreach (NodeProto node in adopted.Node)
        {
            _names.UnionWith(node.Input.Concat(node.Output).Where(n => n.Length > 0));
            _names.Add(node.Name);
        }
        _names.UnionWith(adopted.Initializer.Select(t => t.Name));
        _names.UnionWith(adopted.Input.Select(i => i.Name));
        _graph.Node.AddRange(adopted.Node);
        _graph.Initializer.AddRange(adopted.Initializer);
        _graph.Input.AddRange(adopted.Input);
        // The adopted graph's value_info (optional shape hints) is left out: ML.NET declares some one-hot outputs
        // [N, K] where its OneHotEncoder node makes [N, 1, K], and ONNX Runtime warns when it merges them.
        long adoptedOpset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(opset).Max();
        foreach (OperatorSetIdProto import in model.OpsetImport.Where(o => o.Domain is not ("" or "ai.onnx")))
            _otherDomains[import.Domain] = Math.Max(import.Version, _otherDomains.GetValueOrDefault(import.Domain));
        _adoptedIrVersion = model.IrVersion;
        OnnxOpsetUpgrade.Upgrade(this, _graph.Node, adoptedOpset, opset);
        return adopted.Output.Select(o => o.Name).ToHashSet();
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

    /// <summary>
    /// The model: one opset for the default domain (<paramref name="opset"/>, at least the adopted graph's), the
    /// adopted graph's other domains (ai.onnx.ml), and only the nodes, initializers and inputs the outputs depend on
    /// (a label column read by ML.NET's part of the pipeline, say, is not a required input).
    /// </summary>
    public byte[] ToModel(string graphName, long irVersion, long opset, string producerVersion)
    {
        Prune();
        _graph.Name = graphName;
        var model = new ModelProto { IrVersion = Math.Max(irVersion, _adoptedIrVersion), ProducerName = "NeuralML", ProducerVersion = producerVersion, Graph = _graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        foreach ((string domain, long version) in _otherDomains.Where(d => _graph.Node.Any(n => n.Domain == d.Key)))
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        return model.ToByteArray();
    }

    /// <summary>Drops every node, initializer and input the graph's outputs do not depend on, keeping the nodes' order.</summary>
    private void Prune()
    {
        var needed = new HashSet<string>(_graph.Output.Select(o => o.Name));
        var kept = new bool[_graph.Node.Count];
        for (int i = _graph.Node.Count - 1; i >= 0; i--)
        {
            NodeProto node = _graph.Node[i];
            if (!node.Output.Any(needed.Contains)) continue;
            kept[i] = true;
            needed.UnionWith(node.Input.Where(n => n.Length > 0));
        }
        NodeProto[] nodes = _graph.Node.Where((_, i) => kept[i]).ToArray();
        TensorProto[] initializers = _graph.Initializer.Where(t => needed.Contains(t.Name)).ToArray();
        ValueInfoProto[] inputs = _graph.Input.Where(v => needed.Contains(v.Name)).ToArray();
        _graph.Node.Clear();
        _graph.Node.AddRange(nodes);
        _graph.Initializer.Clear();
        _graph.Initializer.AddRange(initializers);
        _graph.Input.Clear();
        _graph.Input.AddRange(inputs);
    }
}
