using System.Numerics;
using System.Runtime.CompilerServices;

namespace NeuralML.Numerics;

/// <summary>
/// Finds the first value that is not finite (NaN or ±∞) in a span, a vector at a time: x − x is 0 exactly when x is
/// finite (∞ − ∞ and NaN − NaN are NaN), so a whole vector of finite values compares equal to zero.
/// </summary>
internal static class FiniteCheck
{
    /// <returns>The index of the first NaN or infinity, or −1 when every value is finite.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(values[i..]);
                if (!Vector.EqualsAll(v - v, Vector<float>.Zero)) break;
            }
        }
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }
}
