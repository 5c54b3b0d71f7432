using System.Collections.Immutable;

namespace NeuralML.Onnx.Translations;

/// <summary>
/// ML.NET's binning normalisers (NormalizeBinning, NormalizeSupervisedBinning), per slot, as ML.NET computes them:
/// NaN stays NaN; otherwise the bin index (how many of the slot's upper bounds, which are inclusive, lie below x) divided
/// by the slot's density (the number of bins less one), minus the slot's offset (the normalised bin of 0 when zero is
/// fixed), in float. The slots' bounds are padded with +∞ to one length, so that one <c>Greater</c> and one
/// <c>ReduceSum</c> count them for every slot at once.
/// </summary>
internal static class BinNormalizerTranslation
{
    public static string Add(OnnxGraph graph, string input, string output, ImmutableArray<ImmutableArray<float>> upperBounds, ImmutableArray<float> density, ImmutableArray<float> offset)
    {
        int slots = upperBounds.Length, length = upperBounds.Max(b => b.Length);
        var bounds = new float[slots * length];
        for (int s = 0; s < slots; s++)
            for (int j = 0; j < length; j++)
                bounds[s * length + j] = j < upperBounds[s].Length ? upperBounds[s][j] : float.PositiveInfinity;

        string column = graph.AddNode("Unsqueeze", [input, graph.AddInt64Initializer($"{output}_axis2", [1], [2])], $"{output}_column"); // [N, slots, 1]
        string above = graph.AddNode("Greater", [column, graph.AddFloatInitializer($"{output}_bounds", [slots, length], bounds)], $"{output}_above");
        string count = graph.AddNode("ReduceSum", [
            graph.AddNode("Cast", [above], $"{output}_above_float", OnnxProto.IntAttribute("to", (long)OnnxProto.DataType.Float)),
            graph.AddInt64Initializer($"{output}_axis2_sum", [1], [2])], $"{output}_bin", OnnxProto.IntAttribute("keepdims", 0)); // [N, slots]
        string value = graph.AddNode("Div", [count, graph.AddFloatInitializer($"{output}_density", [slots], density.AsSpan())], $"{output}_scaled");
        if (!offset.IsDefaultOrEmpty && offset.Any(o => o != 0f))
            value = graph.AddNode("Sub", [value, graph.AddFloatInitializer($"{output}_offset", [slots], offset.AsSpan())], $"{output}_shifted");
        return graph.AddNode("Where", [graph.AddNode("IsNaN", [input], $"{output}_is_nan"), input, value], output);
    }
}
