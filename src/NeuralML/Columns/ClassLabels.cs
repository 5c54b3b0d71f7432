using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Columns;

/// <summary>
/// The classes of a multiclass model: how many, and the label column's key values (the original labels that
/// <c>MapValueToKey</c> replaced), kept so that <c>PredictedLabel</c> carries them and <c>MapKeyToValue</c> works.
/// </summary>
internal sealed class ClassLabels
{
    private readonly IKeyValues? _keyValues;

    private ClassLabels(int count, PrimitiveDataViewType? valueType, IKeyValues? keyValues)
    {
        Count = count;
        ValueType = valueType;
        _keyValues = keyValues;
    }

    public int Count { get; }

    /// <summary>The type of the key values, or null when the label had none.</summary>
    public PrimitiveDataViewType? ValueType { get; }

    /// <summary>A <c>VBuffer&lt;T&gt;</c> of the key values, T being <see cref="ValueType"/>'s raw type.</summary>
    public object? Values => _keyValues?.Buffer;

    /// <summary>The key values as text, used as the score's slot names.</summary>
    public string[]? Names => _keyValues?.Names;

    /// <summary>Class labels without key values.</summary>
    public static ClassLabels WithoutValues(int count) => new(count, null, null);

    /// <summary>Class labels with key values of type <paramref name="valueType"/> (raw type <typeparamref name="T"/>).</summary>
    public static ClassLabels Create<T>(PrimitiveDataViewType valueType, T[] values)
    {
        if (valueType.RawType != typeof(T)) throw new ArgumentException($"{valueType} values are not {typeof(T).Name}.", nameof(valueType));
        return new ClassLabels(values.Length, valueType, new KeyValues<T>(values));
    }

    /// <summary>Class labels whose key values are text.</summary>
    public static ClassLabels CreateText(string[] names) => Create(TextDataViewType.Instance, names.Select(n => n.AsMemory()).ToArray());

    /// <summary>The key values as an array of their raw type (empty when there are none or they are of another type).</summary>
    public T[] ValuesAs<T>() => _keyValues is KeyValues<T> values ? values.Array : [];

    /// <summary>The classes of a key-typed label column: its KeyValues annotation when it has one of <paramref name="count"/> values.</summary>
    public static ClassLabels FromLabelColumn(DataViewSchema.Column label, int count)
    {
        var keyValues = label.Annotations.Schema.GetColumnOrNull(AnnotationKinds.KeyValues);
        if (keyValues is not { Type: VectorDataViewType { ItemType: PrimitiveDataViewType itemType } vector } || vector.Size != count)
            return WithoutValues(count);
        DataViewSchema.Annotations annotations = label.Annotations;
        Type raw = itemType.RawType;
        // Every raw type a PrimitiveDataViewType can have; a switch instead of a generic method made by reflection.
        IKeyValues values =
            raw == typeof(ReadOnlyMemory<char>) ? KeyValues<ReadOnlyMemory<char>>.Read(annotations)
            : raw == typeof(float) ? KeyValues<float>.Read(annotations)
            : raw == typeof(double) ? KeyValues<double>.Read(annotations)
            : raw == typeof(bool) ? KeyValues<bool>.Read(annotations)
            : raw == typeof(sbyte) ? KeyValues<sbyte>.Read(annotations)
            : raw == typeof(byte) ? KeyValues<byte>.Read(annotations)
            : raw == typeof(short) ? KeyValues<short>.Read(annotations)
            : raw == typeof(ushort) ? KeyValues<ushort>.Read(annotations)
            : raw == typeof(int) ? KeyValues<int>.Read(annotations)
            : raw == typeof(uint) ? KeyValues<uint>.Read(annotations)
            : raw == typeof(long) ? KeyValues<long>.Read(annotations)
            : raw == typeof(ulong) ? KeyValues<ulong>.Read(annotations)
            : raw == typeof(DataViewRowId) ? KeyValues<DataViewRowId>.Read(annotations)
            : raw == typeof(DateTime) ? KeyValues<DateTime>.Read(annotations)
            : raw == typeof(DateTimeOffset) ? KeyValues<DateTimeOffset>.Read(annotations)
            : raw == typeof(TimeSpan) ? KeyValues<TimeSpan>.Read(annotations)
            : throw new NotSupportedException($"Label column '{label.Name}' has key values of an unknown type, {itemType}.");
        return new ClassLabels(count, itemType, values);
    }

    /// <summary>Adds the KeyValues annotation, when there are key values.</summary>
    public void AddKeyValuesTo(DataViewSchema.Annotations.Builder builder)
    {
        if (ValueType is not null) _keyValues?.AddTo(builder, new VectorDataViewType(ValueType, Count));
    }

    /// <summary>Adds the SlotNames annotation (the class names), when there are key values.</summary>
    public void AddSlotNamesTo(DataViewSchema.Annotations.Builder builder)
    {
        if (Names is null) return;
        var names = Names.Select(n => n.AsMemory()).ToArray();
        builder.Add(AnnotationKinds.SlotNames, new VectorDataViewType(TextDataViewType.Instance, Count),
            (ref VBuffer<ReadOnlyMemory<char>> dst) => new VBuffer<ReadOnlyMemory<char>>(names.Length, names).CopyTo(ref dst));
    }

    private static string Name<T>(T value) => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";

    private interface IKeyValues
    {
        object Buffer { get; }

        string[] Names { get; }

        void AddTo(DataViewSchema.Annotations.Builder builder, VectorDataViewType type);
    }

    private sealed class KeyValues<T>(T[] values) : IKeyValues
    {
        public T[] Array => values;

        public object Buffer => new VBuffer<T>(values.Length, values);

        public string[] Names { get; } = values.Select(Name).ToArray();

        public static KeyValues<T> Read(DataViewSchema.Annotations annotations)
        {
            VBuffer<T> buffer = default;
            annotations.GetValue(AnnotationKinds.KeyValues, ref buffer);
            return new KeyValues<T>(buffer.DenseValues().ToArray());
        }

        public void AddTo(DataViewSchema.Annotations.Builder builder, VectorDataViewType type)
            => builder.Add(AnnotationKinds.KeyValues, type, (ref VBuffer<T> dst) => new VBuffer<T>(values.Length, values).CopyTo(ref dst));
    }
}
