using Google.Protobuf;
using NeuralML.Onnx.Proto;

namespace NeuralML.Onnx;

/// <summary>
/// Builders for the ONNX messages NeuralML writes, on the classes generated from <c>onnx_subset.proto</c>
/// (Google.Protobuf serialises them).
/// </summary>
internal static class OnnxProto
{
    /// <summary>ONNX's element types (TensorProto.DataType).</summary>
    public enum DataType
    {
        Float = TensorProto.Types.DataType.Float,
        Int64 = TensorProto.Types.DataType.Int64,
        String = TensorProto.Types.DataType.String,
        Bool = TensorProto.Types.DataType.Bool,
        Double = TensorProto.Types.DataType.Double,
        UInt32 = TensorProto.Types.DataType.Uint32,
    }

    public static AttributeProto FloatAttribute(string name, float value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto IntAttribute(string name, long value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float tensor with its values as little-endian raw data.</summary>
    public static TensorProto FloatTensor(string name, IReadOnlyList<long> dims, ReadOnlySpan<float> values)
    {
        byte[] raw = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), values[i]);
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Float, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>A double tensor with its values as little-endian raw data.</summary>
    public static TensorProto DoubleTensor(string name, IReadOnlyList<long> dims, ReadOnlySpan<double> values)
    {
        byte[] raw = new byte[values.Length * sizeof(double)];
        for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(raw.AsSpan(i * 8), values[i]);
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Double, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>A Boolean tensor, one byte per value in raw data.</summary>
    public static TensorProto BoolTensor(string name, IReadOnlyList<long> dims, IReadOnlyList<bool> values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Bool, RawData = ByteString.CopyFrom(values.Select(v => v ? (byte)1 : (byte)0).ToArray()) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    public static TensorProto Int64Tensor(string name, IReadOnlyList<long> dims, IReadOnlyList<long> values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        return tensor;
    }

    /// <summary>A string tensor, its strings as UTF-8.</summary>
    public static TensorProto StringTensor(string name, IReadOnlyList<long> dims, IReadOnlyList<string> values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.String };
        tensor.Dims.AddRange(dims);
        tensor.StringData.AddRange(values.Select(ByteString.CopyFromUtf8));
        return tensor;
    }

    /// <summary>A tensor's name, element type and shape; a null dimension is the symbolic batch size "N".</summary>
    public static ValueInfoProto TensorValueInfo(string name, DataType type, IReadOnlyList<long?> shape)
    {
        var tensorShape = new TensorShapeProto();
        tensorShape.Dim.AddRange(shape.Select(dim => dim is long value
            ? new TensorShapeProto.Types.Dimension { DimValue = value }
            : new TensorShapeProto.Types.Dimension { DimParam = "N" }));
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
        };
    }
}
