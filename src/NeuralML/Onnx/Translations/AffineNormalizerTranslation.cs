using System.Collections.Immutable;

namespace NeuralML.Onnx.Translations;

/// <summary>
/// ML.NET's affine normalisers (NormalizeMinMax, NormalizeMeanVariance, NormalizeLogMeanVariance without the CDF,
/// NormalizeRobustScaling, ...): y = (x − offset)·scale per slot, in float, as <c>Sub</c> (when an offset is not zero) and <c>Mul</c>.
/// </summary>
internal static class AffineNormalizerTranslation
{
    public static string Add(OnnxGraph graph, string input, string output, ImmutableArray<float> scale, ImmutableArray<float> offset)
    {
        // An empty offset means zero.
        string x = input;
        if (!offset.IsDefaultOrEmpty && offset.Any(o => o != 0f))
            x = graph.AddNode("Sub", [x, graph.AddFloatInitializer($"{output}_offset", [offset.Length], offset.AsSpan())], $"{output}_centred");
        return graph.AddNode("Mul", [x, graph.AddFloatInitializer($"{output}_scale", [scale.Length], scale.AsSpan())], output);
    }
}
