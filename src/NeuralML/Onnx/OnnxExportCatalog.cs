using NeuralML.Onnx;

namespace Microsoft.ML;

/// <summary>Adds <c>ExportToOnnx</c> to <c>mlContext.Model</c>.</summary>
public static class OnnxExportCatalog
{
    /// <summary>
    /// Writes a fitted pipeline that contains a NeuralML FeedForward model as one ONNX model (opset 13). The transformers
    /// before the network are translated by NeuralML when they are Concatenate, affine normalisers (NormalizeMinMax,
    /// NormalizeMeanVariance, ...) and MapValueToKey on the label; otherwise ML.NET's own converter
    /// (Microsoft.ML.OnnxConverter: OneHotEncoding, OneHotHashEncoding, ReplaceMissingValues, ConvertType, ...) writes
    /// them and the network is grafted onto its graph. After the network: MapKeyToValue on PredictedLabel. Graph inputs
    /// are the input columns the outputs depend on; outputs are named "&lt;column&gt;.output" (Score.output,
    /// Probability.output, PredictedLabel.output, ...).
    /// </summary>
    /// <param name="catalog">The model operations catalog, <c>mlContext.Model</c>.</param>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="inputData">Data with the pipeline's input schema (only the schema is read).</param>
    /// <param name="stream">Where the model is written.</param>
    /// <exception cref="NotSupportedException">A transformer in the pipeline cannot be exported, by NeuralML or by ML.NET's converter; the message names it, and nothing is written.</exception>
    public static void ExportToOnnx(this ModelOperationsCatalog catalog, ITransformer model, IDataView inputData, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(stream);
        // The whole model is built in memory first, so a failed export writes nothing.
        byte[] bytes = OnnxExporter.Export(model, inputData);
        stream.Write(bytes);
    }
}
