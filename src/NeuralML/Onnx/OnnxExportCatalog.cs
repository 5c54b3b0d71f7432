using NeuralML.Onnx;

namespace Microsoft.ML;

/// <summary>Adds <c>ExportToOnnx</c> to <c>mlContext.Model</c>.</summary>
public static class OnnxExportCatalog
{
    /// <summary>
    /// Writes a fitted pipeline that ends in a NeuralML FeedForward model as one ONNX model (opset 13): Concatenate,
    /// affine normalisers (NormalizeMinMax, NormalizeMeanVariance, ...), MapValueToKey on the label (not part of the
    /// graph), the network, and MapKeyToValue on PredictedLabel. Graph inputs are the pipeline's input columns, shape
    /// [N, width]; outputs are named "&lt;column&gt;.output" (Score.output, Probability.output, PredictedLabel.output, ...).
    /// </summary>
    /// <param name="catalog">The model operations catalog, <c>mlContext.Model</c>.</param>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="inputData">Data with the pipeline's input schema (only the schema is read).</param>
    /// <param name="stream">Where the model is written.</param>
    /// <exception cref="NotSupportedException">A transformer in the pipeline cannot be translated exactly; the message names it.</exception>
    public static void ExportToOnnx(this ModelOperationsCatalog catalog, ITransformer model, IDataView inputData, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(stream);
        // The whole model is built in memory first, so a failed export writes nothing.
        byte[] bytes = OnnxExporter.Export(model, inputData);
        stream.Write(bytes);
    }
}
