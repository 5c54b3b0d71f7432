using NeuralML.Onnx.Proto;

namespace NeuralML.Onnx;

/// <summary>
/// Brings nodes of the default domain written for an older opset to a newer one, for the operators whose signature
/// changed on the way: from opset 13 on, Squeeze's, Unsqueeze's and ReduceSum's axes and Split's split sizes are inputs
/// rather than attributes. Other operators ML.NET writes (Cast, Concat, Identity, Gather, arithmetic) read the same.
/// </summary>
internal static class OnnxOpsetUpgrade
{
    private static readonly Dictionary<string, string> AttributeBecameInput13 = new()
    {
        ["Squeeze"] = "axes",
        ["Unsqueeze"] = "axes",
        ["ReduceSum"] = "axes",
        ["Split"] = "split",
    };

    /// <exception cref="NotSupportedException">The nodes are for an opset this upgrade does not cover (below 9).</exception>
    public static void Upgrade(OnnxGraph graph, IList<NodeProto> nodes, long from, long to)
    {
        if (from >= to) return;
        if (from < 9) throw new NotSupportedException($"Cannot bring ONNX opset {from} to {to}.");
        if (from >= 13 || to < 13) return;
        foreach (NodeProto node in nodes.Where(n => n.Domain is "" or "ai.onnx"))
        {
            if (!AttributeBecameInput13.TryGetValue(node.OpType, out string? name)) continue;
            AttributeProto? attribute = node.Attribute.FirstOrDefault(a => a.Name == name);
            if (attribute is null) continue;
            node.Attribute.Remove(attribute);
            string values = graph.AddInt64Initializer($"{node.Name}_{name}", [attribute.Ints.Count], [.. attribute.Ints]);
            // The data is the first input; the axes or sizes come second.
            while (node.Input.Count < 1) node.Input.Add("");
            node.Input.Insert(1, values);
        }
    }
}
