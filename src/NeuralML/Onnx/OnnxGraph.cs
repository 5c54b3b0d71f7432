using Google.Protobuf;
using NeuralML.Onnx.Proto;

namespace NeuralML.Onnx;

/// <summary>
/// An ONNX graph under construction: nodes, initializers, inputs and outputs, with unique tensor and node names. It may
/// take in other models' graphs (<see cref="Merge"/>: ML.NET's exports of runs of transformers before the network),
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
    /// Adds <paramref name="model"/>'s graph (ML.NET's export of a run of transformers) to this one. Its inputs that
    /// <paramref name="inputs"/> maps are read from those tensors; its other inputs become inputs of this graph (the
    /// pipeline's raw columns; one already declared is shared). Every other tensor and node is renamed where its name
    /// is taken. Its outputs are not this graph's: the caller reads the tensors behind them. Nodes of the default domain
    /// are brought from the model's opset to <paramref name="opset"/> (<see cref="OnnxOpsetUpgrade"/>).
    /// </summary>
    /// <returns>For each of the model's outputs, the tensor it is in this graph.</returns>
    public IReadOnlyDictionary<string, string> Merge(ModelProto model, long opset, IReadOnlyDictionary<string, string> inputs)
    {
        GraphProto merged = model.Graph.Clone();
        var renamed = new Dictionary<string, string>();
        foreach (ValueInfoProto input in merged.Input)
        {
            if (inputs.TryGetValue(input.Name, out string? tensor)) renamed[input.Name] = tensor;
            else
            {
                renamed[input.Name] = input.Name;
                if (_names.Add(input.Name)) _graph.Input.Add(input);
                else if (!_graph.Input.Any(i => i.Name == input.Name))
                    throw new InvalidOperationException($"Input column '{input.Name}' has the name of a tensor of the graph.");
            }
        }
        string Rename(string name) => name.Length == 0 ? name : renamed.TryGetValue(name, out string? to) ? to : renamed[name] = Unique(name);
        foreach (TensorProto initializer in merged.Initializer) initializer.Name = Rename(initializer.Name);
        foreach (NodeProto node in merged.Node)
        {
            for (int i = 0; i < node.Input.Count; i++) node.Input[i] = Rename(node.Input[i]);
            for (int i = 0; i < node.Output.Count; i++) node.Output[i] = Rename(node.Output[i]);
            node.Name = Unique(node.Name.Length > 0 ? node.Name : node.OpType);
        }
        // The model's value_info (optional shape hints) is left out: ML.NET declares some one-hot outputs [N, K] where
        // its OneHotEncoder node makes [N, 1, K], and ONNX Runtime warns when it merges them.
        long modelOpset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(opset).Max();
        foreach (OperatorSetIdProto import in model.OpsetImport.Where(o => o.Domain is not ("" or "ai.onnx")))
            _otherDomains[import.Domain] = Math.Max(import.Version, _otherDomains.GetValueOrDefault(import.Domain));
        _adoptedIrVersion = Math.Max(_adoptedIrVersion, model.IrVersion);
        OnnxOpsetUpgrade.Upgrade(this, merged.Node, modelOpset, opset);
        _graph.Initializer.AddRange(merged.Initializer);
        _graph.Node.AddRange(merged.Node);
        return merged.Output.ToDictionary(o => o.Name, o => Rename(o.Name));
    }

    public string AddFloatInitializer(string hint, long[] dims, ReadOnlySpan<float> values)
    {
        string name = Unique(hint);
        _graph.Initializer.Add(OnnxProto.FloatTensor(name, dims, values));
        return name;
    }

    public string AddDoubleInitializer(string hint, long[] dims, ReadOnlySpan<double> values)
    {
        string name = Unique(hint);
        _graph.Initializer.Add(OnnxProto.DoubleTensor(name, dims, values));
        return name;
    }

    public string AddBoolInitializer(string hint, long[] dims, bool[] values)
    {
        string name = Unique(hint);
        _graph.Initializer.Add(OnnxProto.BoolTensor(name, dims, values));
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
