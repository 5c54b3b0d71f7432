using Google.Protobuf;
using Microsoft.ML;
using NeuralML.Onnx.Proto;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Onnx;

/// <summary>
/// The ONNX messages generated from <c>onnx_subset.proto</c> read what ML.NET's own converter writes and what NeuralML
/// writes: the graph's nodes, initializers, inputs and outputs come back by name and type, and re-serialising a parsed
/// model gives its bytes back (fields the subset does not declare are kept as unknown fields).
/// </summary>
public class OnnxMessagesTests
{
    [Fact]
    public void The_messages_read_a_model_written_by_MLNets_converter_and_write_it_back_unchanged()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = RealData.Diabetes(ml);
        ITransformer normalizer = ml.Transforms.NormalizeMeanVariance("Features").Fit(data);
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(normalizer, data, stream);
        byte[] bytes = stream.ToArray();

        ModelProto model = ModelProto.Parser.ParseFrom(bytes);

        Assert.Contains(model.Graph.Input, input => input.Name == "Features" && input.Type.TensorType.ElemType == (int)TensorProto.Types.DataType.Float);
        Assert.Contains(model.Graph.Output, output => output.Name == "Features.output");
        Assert.Contains(model.Graph.Node, node => node.OpType == "Scaler");
        Assert.NotEmpty(model.OpsetImport);
        Assert.Equal(bytes, model.ToByteArray());
    }

    [Fact]
    public void The_messages_read_back_what_NeuralML_exports()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = RealData.Diabetes(ml);
        var model = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { HiddenLayers = [4], Epochs = 2, Seed = 1 }).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.ExportToOnnx(model, data, stream);

        ModelProto parsed = ModelProto.Parser.ParseFrom(stream.ToArray());

        Assert.Equal("NeuralML", parsed.ProducerName);
        Assert.Equal(["Features"], parsed.Graph.Input.Select(i => i.Name));
        Assert.Equal(["Score.output"], parsed.Graph.Output.Select(o => o.Name));
        Assert.Equal(2, parsed.Graph.Node.Count(n => n.OpType == "Gemm"));
        TensorProto firstWeights = parsed.Graph.Initializer.First(t => t.Dims.SequenceEqual([10L, 4L]));
        Assert.Equal(10 * 4 * sizeof(float), firstWeights.RawData.Length);
        Assert.Equal(stream.ToArray(), parsed.ToByteArray());
    }
}
