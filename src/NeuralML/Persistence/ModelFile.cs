using System.Text;
using Microsoft.ML.Data;
using NeuralML.Columns;
using NeuralML.Network;

namespace NeuralML.Persistence;

/// <summary>
/// NeuralML's own model format, the part of a <c>mlContext.Model.Save</c> file that holds a FeedForward model:
/// "NeuralML" magic, format version, payload length and CRC-32, then the payload (task, feature column, class labels,
/// training history, network). Reading checks the version, the length and the checksum before it parses, and every
/// declared size against the bytes present before it allocates; nothing in the file is ever executed.
/// Format 1 also held the trainer's thread count after the feature column; it is a setting of the machine that
/// scores, not of the model, so format 2 dropped it, and reading format 1 skips it. Formats 1 and 2 kept only the
/// training loss of each epoch; format 3 keeps the whole history (losses, metric, learning rate, time, kept epoch,
/// diagnosis).
/// </summary>
internal static class ModelFile
{
    public const int FormatVersion = 3;
    private const long MaxPayloadBytes = 1L << 31;
    private static readonly byte[] Magic = "NeuralML"u8.ToArray();
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void Write(Stream stream, FeedForwardModelParameters model, string featureColumnName)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((int)model.Kind);
            writer.Write(featureColumnName);
            WriteClassLabels(writer, model.ClassLabels);
            WriteHistory(writer, model.TrainingHistory);
            NetworkFormat.Write(writer, model.Network);
        }
        byte[] bytes = payload.ToArray();
        using var header = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        header.Write(Magic);
        header.Write(FormatVersion);
        header.Write((long)bytes.Length);
        header.Write(Crc32.Compute(bytes));
        header.Write(bytes);
    }

    /// <exception cref="InvalidDataException">Not a NeuralML model, a newer format, truncated, corrupted or inconsistent.</exception>
    public static (FeedForwardModelParameters Model, string FeatureColumnName) Read(Stream stream)
    {
        try
        {
            using var header = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            byte[] magic = header.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic)) throw new InvalidDataException("This is not a NeuralML model: the magic bytes are missing.");
            int version = header.ReadInt32();
            if (version > FormatVersion)
                throw new InvalidDataException($"The model was written in NeuralML model format {version}; this version of NeuralML reads up to format {FormatVersion}. Update NeuralML.");
            if (version < 1) throw new InvalidDataException($"The model declares format version {version}, which does not exist.");
            long length = header.ReadInt64();
            if (length < 0 || length > MaxPayloadBytes) throw new InvalidDataException($"The model declares a payload of {length} bytes; expected 0 to {MaxPayloadBytes}.");
            uint checksum = header.ReadUInt32();
            byte[] payload = ReadExactly(stream, length);
            if (Crc32.Compute(payload) != checksum) throw new InvalidDataException("The model is corrupted: its checksum does not match its contents.");
            return Parse(payload, version);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The model is truncated.", e);
        }
        catch (Exception e) when (e is IOException or FormatException or DecoderFallbackException or OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"The model is malformed: {e.Message}", e);
        }
    }

    /// <summary>Reads <paramref name="length"/> bytes in chunks, so a false length costs no more memory than the stream really holds.</summary>
    private static byte[] ReadExactly(Stream stream, long length)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        long left = length;
        while (left > 0)
        {
            int read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, left));
            if (read == 0) throw new InvalidDataException($"The model is truncated: {length - left} of its {length} payload bytes are present.");
            buffer.Write(chunk, 0, read);
            left -= read;
        }
        return buffer.ToArray();
    }

    private static (FeedForwardModelParameters, string) Parse(byte[] payload, int version)
    {
        using var reader = new BinaryReader(new MemoryStream(payload), StrictUtf8);
        long Remaining() => payload.Length - reader.BaseStream.Position;
        var kind = (PredictionKind)reader.ReadInt32();
        if (!Enum.IsDefined(kind)) throw new InvalidDataException($"The model declares an unknown task ({(int)kind}).");
        string featureColumn = reader.ReadString();
        if (featureColumn.Length == 0) throw new InvalidDataException("The model's feature column name is empty.");
        if (version == 1)
        {
            int threads = reader.ReadInt32();
            if (threads < 0) throw new InvalidDataException($"The model declares {threads} threads.");
        }
        ClassLabels? labels = ReadClassLabels(reader, Remaining);
        FeedForwardTrainingHistory history = version >= 3 ? ReadHistory(reader, Remaining) : ReadLosses(reader, Remaining, kind);
        FeedForwardNetwork network = NetworkFormat.Read(reader, Remaining());
        if (Remaining() != 0) throw new InvalidDataException($"The model has {Remaining()} unexpected bytes after the network.");
        int outputs = kind == PredictionKind.MulticlassClassification ? labels?.Count ?? -1 : 1;
        if (network.OutputCount != outputs)
            throw new InvalidDataException($"The model's network has {network.OutputCount} outputs; a {kind} model with these labels needs {outputs}.");
        return (new FeedForwardModelParameters(kind, network, labels, history), featureColumn);
    }

    /// <summary>Bytes of one epoch's record: training loss, validation loss, metric (doubles), time in ticks (long) and rate (float).</summary>
    private const int EpochBytes = 4 * 8 + 4;

    private static void WriteHistory(BinaryWriter writer, FeedForwardTrainingHistory history)
    {
        writer.Write(history.Epochs.Count);
        foreach (FeedForwardEpoch e in history.Epochs)
        {
            writer.Write(e.TrainingLoss);
            writer.Write(e.ValidationLoss ?? double.NaN);
            writer.Write(e.ValidationMetric ?? double.NaN);
            writer.Write(e.Elapsed?.Ticks ?? -1L);
            writer.Write(e.LearningRate ?? float.NaN);
        }
        writer.Write(history.KeptEpoch);
        writer.Write(history.ValidationMetricName);
        writer.Write(history.Diagnosis);
    }

    private static FeedForwardTrainingHistory ReadHistory(BinaryReader reader, Func<long> remaining)
    {
        int count = reader.ReadInt32();
        if (count < 0 || count > remaining() / EpochBytes) throw new InvalidDataException($"The model declares {count} training epochs, more than its bytes hold.");
        var epochs = new FeedForwardEpoch[count];
        static double? Known(double value) => double.IsNaN(value) ? null : value;
        for (int i = 0; i < count; i++)
        {
            double loss = reader.ReadDouble(), validation = reader.ReadDouble(), metric = reader.ReadDouble();
            long ticks = reader.ReadInt64();
            float rate = reader.ReadSingle();
            epochs[i] = new FeedForwardEpoch(i + 1, loss, Known(validation), Known(metric), float.IsNaN(rate) ? null : rate, ticks < 0 ? null : TimeSpan.FromTicks(ticks));
        }
        int kept = reader.ReadInt32();
        if (kept < 0 || kept > count) throw new InvalidDataException($"The model declares it kept epoch {kept} of {count}.");
        return new FeedForwardTrainingHistory(epochs, kept, reader.ReadString(), reader.ReadString());
    }

    /// <summary>Formats 1 and 2: the training losses alone.</summary>
    private static FeedForwardTrainingHistory ReadLosses(BinaryReader reader, Func<long> remaining, PredictionKind kind)
    {
        int losses = reader.ReadInt32();
        if (losses < 0 || losses > remaining() / 8) throw new InvalidDataException($"The model declares {losses} training losses, more than its bytes hold.");
        var epochs = new FeedForwardEpoch[losses];
        for (int i = 0; i < losses; i++) epochs[i] = new FeedForwardEpoch(i + 1, reader.ReadDouble(), null, null, null, null);
        return new FeedForwardTrainingHistory(epochs, keptEpoch: 0, MetricName(kind),
            "Not recorded: this model was saved before NeuralML kept a diagnosis (model format 1 or 2).");
    }

    private static string MetricName(PredictionKind kind) => kind switch
    {
        PredictionKind.BinaryClassification => "AUC",
        PredictionKind.MulticlassClassification => "accuracy",
        _ => "R²",
    };

    // Key value types a model file can hold, by tag. 0 means "no key values".
    private static readonly (int Tag, PrimitiveDataViewType Type)[] KeyValueTypes =
    [
        (1, TextDataViewType.Instance), (2, NumberDataViewType.Single), (3, NumberDataViewType.Double), (4, NumberDataViewType.Int32),
        (5, NumberDataViewType.Int64), (6, NumberDataViewType.UInt32), (7, NumberDataViewType.UInt64), (8, BooleanDataViewType.Instance),
    ];

    private static void WriteClassLabels(BinaryWriter writer, ClassLabels? labels)
    {
        writer.Write(labels?.Count ?? 0);
        if (labels is null) return;
        if (labels.ValueType is null)
        {
            writer.Write(0);
            return;
        }
        int tag = KeyValueTypes.FirstOrDefault(k => k.Type.Equals(labels.ValueType)).Tag;
        if (tag == 0)
            throw new NotSupportedException($"NeuralML cannot save class labels whose key values are {labels.ValueType}; map the label from text, Single, Double, Int32, Int64, UInt32, UInt64 or Boolean values.");
        writer.Write(tag);
        switch (tag)
        {
            case 1: foreach (string name in labels.Names!) writer.Write(name); break;
            case 2: foreach (float v in labels.ValuesAs<float>()) writer.Write(v); break;
            case 3: foreach (double v in labels.ValuesAs<double>()) writer.Write(v); break;
            case 4: foreach (int v in labels.ValuesAs<int>()) writer.Write(v); break;
            case 5: foreach (long v in labels.ValuesAs<long>()) writer.Write(v); break;
            case 6: foreach (uint v in labels.ValuesAs<uint>()) writer.Write(v); break;
            case 7: foreach (ulong v in labels.ValuesAs<ulong>()) writer.Write(v); break;
            default: foreach (bool v in labels.ValuesAs<bool>()) writer.Write(v); break;
        }
    }

    private static ClassLabels? ReadClassLabels(BinaryReader reader, Func<long> remaining)
    {
        int count = reader.ReadInt32();
        if (count == 0) return null;
        if (count < 0 || count > remaining()) throw new InvalidDataException($"The model declares {count} classes, more than its bytes hold.");
        int tag = reader.ReadInt32();
        T[] Read<T>(Func<T> read)
        {
            var values = new T[count];
            for (int i = 0; i < count; i++) values[i] = read();
            return values;
        }
        return tag switch
        {
            0 => ClassLabels.WithoutValues(count),
            1 => ClassLabels.CreateText(Read(reader.ReadString)),
            2 => ClassLabels.Create(NumberDataViewType.Single, Read(reader.ReadSingle)),
            3 => ClassLabels.Create(NumberDataViewType.Double, Read(reader.ReadDouble)),
            4 => ClassLabels.Create(NumberDataViewType.Int32, Read(reader.ReadInt32)),
            5 => ClassLabels.Create(NumberDataViewType.Int64, Read(reader.ReadInt64)),
            6 => ClassLabels.Create(NumberDataViewType.UInt32, Read(reader.ReadUInt32)),
            7 => ClassLabels.Create(NumberDataViewType.UInt64, Read(reader.ReadUInt64)),
            8 => ClassLabels.Create(BooleanDataViewType.Instance, Read(reader.ReadBoolean)),
            _ => throw new InvalidDataException($"The model declares an unknown class label type ({tag})."),
        };
    }
}
