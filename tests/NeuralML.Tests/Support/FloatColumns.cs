using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Tests.Support;

/// <summary>Reads a Single or vector-of-Single column of a data view, one array per row.</summary>
internal static class FloatColumns
{
    public static List<float[]> Read(IDataView data, string name)
    {
        var rows = new List<float[]>();
        DataViewSchema.Column column = data.Schema[name];
        using DataViewRowCursor cursor = data.GetRowCursor([column]);
        if (column.Type is VectorDataViewType)
        {
            ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
                rows.Add(value.DenseValues().ToArray());
            }
        }
        else
        {
            ValueGetter<float> getter = cursor.GetGetter<float>(column);
            float value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                rows.Add([value]);
            }
        }
        return rows;
    }
}
