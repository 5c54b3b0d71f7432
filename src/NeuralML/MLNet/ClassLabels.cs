using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML;

/// <summary>
/// The classes of a multiclass model: how many, and the label column's key values (the original labels that
/// <c>MapValueToKey</c> replaced), kept so that <c>PredictedLabel</c> carries them and <c>MapKeyToValue</c> works.
/// </summary>
internal sealed class ClassLabels
{
    private ClassLabels(int count, PrimitiveDataViewType? valueType, object? values, string[]? names)
    {
        Count = count;
        ValueType = valueType;
        Values = values;
        Names = names;
    }

    public int Count { get; }

    /// <summary>The type of the key values, or null when the label had none.</summary>
    public PrimitiveDataViewType? ValueType { get; }

    /// <summary>A <c>VBuffer&lt;T&gt;</c> of the key values, T being <see cref="ValueType"/>'s raw type.</summary>
    public object? Values { get; }

    /// <summary>The key values as text, used as the score's slot names.</summary>
    public string[]? Names { get; }

    /// <summary>Class labels without key values.</summary>
    public static ClassLabels WithoutValues(int count) => new(count, null, null, null);

    /// <summary>Class labels with key values of type <paramref name="valueType"/> (raw type <typeparamref name="T"/>).</summary>
    public static ClassLabels Create<T>(PrimitiveDataViewType valueType, T[] values)
    {
        if (valueType.RawType != typeof(T)) throw new ArgumentException($"{valueType} values are not {typeof(T).Name}.", nameof(valueType));
        return new ClassLabels(values.Length, valueType, new VBuffer<T>(values.Length, values), values.Select(Name).ToArray());
    }

    /// <summary>Class labels whose key values are text.</summary>
    public static ClassLabels CreateText(string[] names) => Create(TextDataViewType.Instance, names.Select(n => n.AsMemory()).ToArray());

    private static string Name<T>(T value) => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";

    /// <summary>The key values as an array of their raw type (empty when there are none).</summary>
    public T[] ValuesAs<T>() => Values is VBuffer<T> buffer ? buffer.DenseValues().ToArray() : [];

    public static ClassLabels FromLabelColumn(DataViewSchema.Column label, int count)
    {
        var keyValues = label.Annotations.Schema.GetColumnOrNull(AnnotationKinds.KeyValues);
        if (keyValues is not { Type: VectorDataViewType { ItemType: PrimitiveDataViewType itemType } vector } || vector.Size != count)
            return new ClassLabels(count, null, null, null);
        MethodInfo read = typeof(ClassLabels).GetMethod(nameof(ReadKeyValues), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(itemType.RawType);
        var (values, names) = ((object, string[]))read.Invoke(null, [label.Annotations])!;
        return new ClassLabels(count, itemType, values, names);
    }

    private static (object, string[]) ReadKeyValues<T>(DataViewSchema.Annotations annotations)
    {
        VBuffer<T> values = default;
        annotations.GetValue(AnnotationKinds.KeyValues, ref values);
        var dense = values.DenseValues().ToArray();
        return (new VBuffer<T>(dense.Length, dense), dense.Select(Name).ToArray());
    }

    /// <summary>Adds the KeyValues annotation, when there are key values.</summary>
    public void AddKeyValuesTo(DataViewSchema.Annotations.Builder builder)
    {
        if (ValueType is null) return;
        MethodInfo add = typeof(ClassLabels).GetMethod(nameof(AddKeyValues), BindingFlags.NonPublic | BindingFlags.Instance)!
            .MakeGenericMethod(ValueType.RawType);
        add.Invoke(this, [builder]);
    }

    private void AddKeyValues<T>(DataViewSchema.Annotations.Builder builder)
    {
        var values = (VBuffer<T>)Values!;
        builder.Add(AnnotationKinds.KeyValues, new VectorDataViewType(ValueType!, Count), (ref VBuffer<T> dst) => values.CopyTo(ref dst));
    }

    /// <summary>Adds the SlotNames annotation (the class names), when there are key values.</summary>
    public void AddSlotNamesTo(DataViewSchema.Annotations.Builder builder)
    {
        if (Names is null) return;
        var names = Names.Select(n => n.AsMemory()).ToArray();
        builder.Add(AnnotationKinds.SlotNames, new VectorDataViewType(TextDataViewType.Instance, Count),
            (ref VBuffer<ReadOnlyMemory<char>> dst) => new VBuffer<ReadOnlyMemory<char>>(names.Length, names).CopyTo(ref dst));
    }
}
