using Google.Protobuf;

namespace NeuralML.Onnx;

/// <summary>
/// The few ONNX messages NeuralML writes (onnx.proto: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
/// ValueInfoProto and the type messages), each encoded with Google.Protobuf's <see cref="CodedOutputStream"/> by field
/// number. Each message is written to its own buffer first, so its length prefix is known.
/// </summary>
internal static class OnnxProto
{
    /// <summary>TensorProto.DataType values.</summary>
    public enum DataType
    {
        Float = 1,
        Int64 = 7,
        String = 8,
        Bool = 9,
        Double = 11,
        UInt32 = 12,
    }

    public static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer, leaveOpen: true);
        write(output);
        output.Flush();
        return buffer.ToArray();
    }

    public static void WriteMessage(this CodedOutputStream output, int field, byte[] message)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(message));
    }

    public static void WriteString(this CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    public static void WriteInt64(this CodedOutputStream output, int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
    }

    /// <summary>ModelProto: ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8.</summary>
    public static byte[] Model(long irVersion, string producer, string producerVersion, byte[] graph, long opset) => Message(o =>
    {
        o.WriteInt64(1, irVersion);
        o.WriteString(2, producer);
        o.WriteString(3, producerVersion);
        o.WriteMessage(7, graph);
        o.WriteMessage(8, Message(op =>
        {
            op.WriteString(1, "");
            op.WriteInt64(2, opset);
        }));
    });

    /// <summary>GraphProto: node 1, name 2, initializer 5, input 11, output 12.</summary>
    public static byte[] Graph(string name, IEnumerable<byte[]> nodes, IEnumerable<byte[]> initializers, IEnumerable<byte[]> inputs, IEnumerable<byte[]> outputs) => Message(o =>
    {
        foreach (byte[] node in nodes) o.WriteMessage(1, node);
        o.WriteString(2, name);
        foreach (byte[] initializer in initializers) o.WriteMessage(5, initializer);
        foreach (byte[] input in inputs) o.WriteMessage(11, input);
        foreach (byte[] output in outputs) o.WriteMessage(12, output);
    });

    /// <summary>NodeProto: input 1, output 2, name 3, op_type 4, attribute 5.</summary>
    public static byte[] Node(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, IEnumerable<byte[]> attributes) => Message(o =>
    {
        foreach (string input in inputs) o.WriteString(1, input);
        foreach (string output in outputs) o.WriteString(2, output);
        o.WriteString(3, name);
        o.WriteString(4, opType);
        foreach (byte[] attribute in attributes) o.WriteMessage(5, attribute);
    });

    /// <summary>AttributeProto of type FLOAT (1): name 1, f 2, type 20.</summary>
    public static byte[] FloatAttribute(string name, float value) => Message(o =>
    {
        o.WriteString(1, name);
        o.WriteTag(2, WireFormat.WireType.Fixed32);
        o.WriteFloat(value);
        o.WriteTag(20, WireFormat.WireType.Varint);
        o.WriteEnum(1);
    });

    /// <summary>AttributeProto of type INT (2): name 1, i 3, type 20.</summary>
    public static byte[] IntAttribute(string name, long value) => Message(o =>
    {
        o.WriteString(1, name);
        o.WriteInt64(3, value);
        o.WriteTag(20, WireFormat.WireType.Varint);
        o.WriteEnum(2);
    });

    /// <summary>TensorProto of floats: dims 1, data_type 2, name 8, raw_data 9 (little-endian).</summary>
    public static byte[] FloatTensor(string name, IReadOnlyList<long> dims, ReadOnlySpan<float> values)
    {
        byte[] raw = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), values[i]);
        return Message(o =>
        {
            foreach (long dim in dims) o.WriteInt64(1, dim);
            o.WriteTag(2, WireFormat.WireType.Varint);
            o.WriteInt32((int)DataType.Float);
            o.WriteString(8, name);
            o.WriteTag(9, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(raw));
        });
    }

    /// <summary>TensorProto of int64: dims 1, data_type 2, int64_data 7, name 8.</summary>
    public static byte[] Int64Tensor(string name, IReadOnlyList<long> dims, IReadOnlyList<long> values) => Message(o =>
    {
        foreach (long dim in dims) o.WriteInt64(1, dim);
        o.WriteTag(2, WireFormat.WireType.Varint);
        o.WriteInt32((int)DataType.Int64);
        foreach (long value in values) o.WriteInt64(7, value);
        o.WriteString(8, name);
    });

    /// <summary>TensorProto of strings: dims 1, data_type 2, string_data 6 (UTF-8), name 8.</summary>
    public static byte[] StringTensor(string name, IReadOnlyList<long> dims, IReadOnlyList<string> values) => Message(o =>
    {
        foreach (long dim in dims) o.WriteInt64(1, dim);
        o.WriteTag(2, WireFormat.WireType.Varint);
        o.WriteInt32((int)DataType.String);
        foreach (string value in values)
        {
            o.WriteTag(6, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFromUtf8(value));
        }
        o.WriteString(8, name);
    });

    /// <summary>
    /// ValueInfoProto (name 1, type 2) of a tensor: TypeProto.tensor_type 1 → elem_type 1, shape 2 → dim 1 →
    /// dim_value 1 or dim_param 2. A null dimension is the symbolic batch size "N".
    /// </summary>
    public static byte[] TensorValueInfo(string name, DataType type, IReadOnlyList<long?> shape) => Message(o =>
    {
        o.WriteString(1, name);
        o.WriteMessage(2, Message(typeProto => typeProto.WriteMessage(1, Message(tensor =>
        {
            tensor.WriteTag(1, WireFormat.WireType.Varint);
            tensor.WriteInt32((int)type);
            tensor.WriteMessage(2, Message(tensorShape =>
            {
                foreach (long? dim in shape)
                {
                    tensorShape.WriteMessage(1, Message(d =>
                    {
                        if (dim is long value) d.WriteInt64(1, value);
                        else d.WriteString(2, "N");
                    }));
                }
            }));
        }))));
    });
}
