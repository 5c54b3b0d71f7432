using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML;

/// <summary>Schema checks with the messages ML.NET's own trainers give: the column, what was expected and what was found.</summary>
internal static class FeatureColumn
{
    /// <summary>The feature column: a known-size vector of Single (of <paramref name="expectedSize"/> values when given).</summary>
    public static DataViewSchema.Column Check(DataViewSchema schema, string name, int? expectedSize = null)
    {
        DataViewSchema.Column column = Find(schema, name, "feature");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType itemType, Size: > 0 } vector || itemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Schema mismatch for feature column '{name}': expected known-size vector of Single, got {column.Type}. " +
                "Combine numeric columns with mlContext.Transforms.Concatenate and convert other types with ConvertType.");
        if (expectedSize is int size && vector.Size != size)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Schema mismatch for feature column '{name}': the model was trained on {size} features, this column has {vector.Size}.");
        return column;
    }

    public static DataViewSchema.Column Find(DataViewSchema schema, string name, string role)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"{Capitalize(role)} column '{name}' not found in the data. Columns present: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"))}.");
    }

    private static string Capitalize(string role) => char.ToUpperInvariant(role[0]) + role[1..];
}
