using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Columns;

/// <summary>
/// The feature and weight columns' rules, checked on a <see cref="DataViewSchema"/> (when data is read or scored) and
/// on a <see cref="SchemaShape"/> (<c>GetOutputSchema</c>), with the same messages as ML.NET's own trainers: the
/// column, what was expected and what was found.
/// </summary>
internal static class ColumnChecks
{
    private const string FeatureHint = "Combine numeric columns with mlContext.Transforms.Concatenate and convert other types with ConvertType.";

    /// <summary>The feature column: a known-size vector of Single (of <paramref name="expectedSize"/> values when given).</summary>
    public static DataViewSchema.Column CheckFeature(DataViewSchema schema, string name, int? expectedSize = null)
    {
        DataViewSchema.Column column = Find(schema, name, "Feature");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType itemType, Size: > 0 } vector || itemType != NumberDataViewType.Single)
            throw FeatureMismatch(name, $"{column.Type}");
        if (expectedSize is int size && vector.Size != size)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Schema mismatch for feature column '{name}': the model was trained on {size} features, this column has {vector.Size}.");
        return column;
    }

    public static SchemaShape.Column CheckFeature(SchemaShape schema, string name)
    {
        SchemaShape.Column column = Find(schema, name, "Feature");
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single)
            throw FeatureMismatch(name, Describe(column));
        return column;
    }

    public static DataViewSchema.Column CheckWeight(DataViewSchema schema, string name)
    {
        DataViewSchema.Column column = Find(schema, name, "Weight");
        if (column.Type != NumberDataViewType.Single) throw WeightMismatch(name, $"{column.Type}");
        return column;
    }

    public static SchemaShape.Column CheckWeight(SchemaShape schema, string name)
    {
        SchemaShape.Column column = Find(schema, name, "Weight");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.Single) throw WeightMismatch(name, Describe(column));
        return column;
    }

    /// <exception cref="ArgumentOutOfRangeException">No column of that name; the message lists the columns present.</exception>
    public static DataViewSchema.Column Find(DataViewSchema schema, string name, string role)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return schema.GetColumnOrNull(name) ?? throw NotFound(role, name, schema.Where(c => !c.IsHidden).Select(c => c.Name));
    }

    /// <exception cref="ArgumentOutOfRangeException">No column of that name; the message lists the columns present.</exception>
    public static SchemaShape.Column Find(SchemaShape schema, string name, string role)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return TryFind(schema, name) ?? throw NotFound(role, name, schema.Select(c => c.Name));
    }

    /// <summary>The column named <paramref name="name"/>, or null (SchemaShape's own lookup is internal).</summary>
    public static SchemaShape.Column? TryFind(SchemaShape schema, string name)
    {
        foreach (SchemaShape.Column column in schema)
            if (column.Name == name) return column;
        return null;
    }

    /// <summary>A shape column's type, written as a data view column's type is.</summary>
    public static string Describe(SchemaShape.Column column) => column.Kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => column.IsKey ? $"Key<{column.ItemType.RawType.Name}>" : $"{column.ItemType}",
        SchemaShape.Column.VectorKind.Vector => $"Vector<{column.ItemType}>",
        _ => $"variable-size Vector<{column.ItemType}>",
    };

    private static ArgumentOutOfRangeException NotFound(string role, string name, IEnumerable<string> present)
        => new("schema", $"{role} column '{name}' not found in the data. Columns present: {string.Join(", ", present.Select(c => $"'{c}'"))}.");

    private static ArgumentOutOfRangeException FeatureMismatch(string name, string found)
        => new("schema", $"Schema mismatch for feature column '{name}': expected known-size vector of Single, got {found}. {FeatureHint}");

    private static ArgumentOutOfRangeException WeightMismatch(string name, string found)
        => new("schema", $"Schema mismatch for weight column '{name}': expected Single, got {found}.");
}
