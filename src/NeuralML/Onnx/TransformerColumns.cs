using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Onnx;

/// <summary>
/// Which columns an ML.NET transformer reads and writes. ML.NET keeps these internal (<c>ColumnPairs</c> of one-to-one
/// transformers, <c>Columns</c> of <c>ColumnConcatenatingTransformer</c>), so the exporter reads them by reflection here
/// and nowhere else; a test fails if ML.NET renames them.
/// </summary>
internal static class TransformerColumns
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    /// <summary>(output, input) column pairs of a one-to-one transformer such as a normaliser or key mapping.</summary>
    public static (string Output, string Input)[] OneToOne(ITransformer transformer)
    {
        for (Type? type = transformer.GetType(); type is not null; type = type.BaseType)
        {
            FieldInfo? field = type.GetField("ColumnPairs", Instance | BindingFlags.DeclaredOnly);
            if (field?.GetValue(transformer) is (string, string)[] pairs) return pairs.Select(p => (p.Item1, p.Item2)).ToArray();
        }
        throw new NotSupportedException($"Cannot read the columns of {transformer.GetType().Name} in this version of ML.NET.");
    }

    /// <summary>(output, inputs in order) of a <see cref="ColumnConcatenatingTransformer"/>.</summary>
    public static (string Output, string[] Inputs)[] Concatenation(ColumnConcatenatingTransformer transformer)
    {
        PropertyInfo? property = typeof(ColumnConcatenatingTransformer).GetProperty("Columns", Instance);
        if (property?.GetValue(transformer) is IEnumerable<(string, string[])> columns) return columns.Select(c => (c.Item1, c.Item2)).ToArray();
        throw new NotSupportedException("Cannot read the columns of ColumnConcatenatingTransformer in this version of ML.NET.");
    }
}
