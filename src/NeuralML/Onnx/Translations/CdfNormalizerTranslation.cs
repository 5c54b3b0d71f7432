using System.Collections.Immutable;

namespace NeuralML.Onnx.Translations;

/// <summary>
/// ML.NET's CDF normaliser (NormalizeLogMeanVariance, and NormalizeMeanVariance with useCdf), per slot, as ML.NET
/// computes it: 0 where the standard deviation is at most float.Epsilon; otherwise v = log(x) (in double, rounded to
/// float) when the logarithm is used, else x; 0 where v is not finite (x ≤ 0 under the logarithm, NaN, ±∞); otherwise
/// the normal CDF of z = (v − mean)/σ by Winitzki's erf approximation (a = 0.147):
/// ½ + ½·sign(z)·√(1 − exp(−z²/2·(4/π + a·z²/2)/(1 + a·z²/2))), with z, z²/2, a·z²/2 and 1 + a·z²/2 in float and the
/// rest in double, then rounded to float.
/// </summary>
internal static class CdfNormalizerTranslation
{
    private const float WinitzkiA = 0.147f;
    private const long FloatType = (long)OnnxProto.DataType.Float, DoubleType = (long)OnnxProto.DataType.Double;

    public static string Add(OnnxGraph graph, string input, string output, ImmutableArray<float> mean, ImmutableArray<float> standardDeviation, bool useLog)
    {
        int slots = mean.Length;
        string Float(string hint, float value) => graph.AddFloatInitializer($"{output}_{hint}", [1], [value]);
        string Double(string hint, double value) => graph.AddDoubleInitializer($"{output}_{hint}", [1], [value]);
        string Cast(string x, long to, string hint) => graph.AddNode("Cast", [x], $"{output}_{hint}", OnnxProto.IntAttribute("to", to));

        string v = useLog ? Cast(graph.AddNode("Log", [Cast(input, DoubleType, "double")], $"{output}_log"), FloatType, "log_float") : input;
        // Not finite: NaN, or ±∞ (the logarithm of 0 is −∞, of a negative number NaN).
        string notFinite = graph.AddNode("Or", [graph.AddNode("IsNaN", [v], $"{output}_is_nan"), graph.AddNode("IsInf", [v], $"{output}_is_inf")], $"{output}_not_finite");
        // A slot whose σ is at most float.Epsilon maps everything to 0; dividing by 1 there keeps the arithmetic finite.
        bool[] flat = standardDeviation.Select(s => s <= float.Epsilon).ToArray();
        float[] sigma = standardDeviation.Select(s => s <= float.Epsilon ? 1f : s).ToArray();
        string zeroOut = flat.Any(f => f)
            ? graph.AddNode("Or", [notFinite, graph.AddBoolInitializer($"{output}_flat", [slots], flat)], $"{output}_zero")
            : notFinite;
        // The logarithm of a non-positive value is not finite; 1 there keeps the arithmetic finite too (the result is replaced by 0).
        string safe = graph.AddNode("Where", [notFinite, Float("one", 1f), v], $"{output}_safe");

        string z = graph.AddNode("Div", [
            graph.AddNode("Sub", [safe, graph.AddFloatInitializer($"{output}_mean", [slots], mean.AsSpan())], $"{output}_centred"),
            graph.AddFloatInitializer($"{output}_sigma", [slots], sigma)], $"{output}_z");
        string halfSquare = graph.AddNode("Div", [graph.AddNode("Mul", [z, z], $"{output}_z_squared"), Float("two", 2f)], $"{output}_half_square");
        string aHalfSquare = graph.AddNode("Mul", [Float("a", WinitzkiA), halfSquare], $"{output}_a_half_square");
        string onePlus = graph.AddNode("Add", [Float("one_f", 1f), aHalfSquare], $"{output}_one_plus");

        string numerator = graph.AddNode("Mul", [
            graph.AddNode("Neg", [Cast(halfSquare, DoubleType, "half_square_d")], $"{output}_minus_half_square"),
            graph.AddNode("Add", [Double("four_over_pi", 4 / Math.PI), Cast(aHalfSquare, DoubleType, "a_half_square_d")], $"{output}_four_over_pi_plus")], $"{output}_numerator");
        string exponent = graph.AddNode("Div", [numerator, Cast(onePlus, DoubleType, "one_plus_d")], $"{output}_exponent");
        string root = graph.AddNode("Sqrt", [graph.AddNode("Sub", [Double("one_d", 1), graph.AddNode("Exp", [exponent], $"{output}_exp")], $"{output}_one_minus_exp")], $"{output}_root");
        string signed = graph.AddNode("Mul", [graph.AddNode("Mul", [Double("half_d", 0.5), Cast(graph.AddNode("Sign", [z], $"{output}_sign"), DoubleType, "sign_d")], $"{output}_half_sign"), root], $"{output}_signed");
        string cdf = Cast(graph.AddNode("Add", [Double("half_d2", 0.5), signed], $"{output}_cdf_d"), FloatType, "cdf");
        return graph.AddNode("Where", [zeroOut, Float("zero", 0f), cdf], output);
    }
}
