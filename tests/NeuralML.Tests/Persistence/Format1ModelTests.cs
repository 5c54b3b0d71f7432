using System.Globalization;
using System.Runtime.Intrinsics;
using Microsoft.ML;
using NeuralML.Kernels;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Persistence;

/// <summary>
/// Models saved before the thread count left the model file (format 1, checked in under Data/Format1Models) still
/// load and predict exactly what the NeuralML that saved them predicted, in the same kernel configuration.
/// </summary>
public class Format1ModelTests
{
    public static TheoryData<string> Models() => new(["binary", "multiclass", "regression"]);

    [Theory]
    [MemberData(nameof(Models))]
    public void A_format_1_model_loads_and_predicts_as_before(string name)
    {
        var ml = new MLContext();
        ml.ComponentCatalog.RegisterNeuralML();
        ITransformer model = ml.Model.Load(PathOf($"{name}.zip"), out _);
        IDataView data = name switch
        {
            "binary" => RealData.BreastCancer(ml),
            "multiclass" => RealData.Iris(ml),
            _ => RealData.Diabetes(ml),
        };
        string[] expected = File.ReadAllLines(PathOf($"{name}.{Configuration()}.csv"));
        string[] columns = expected[0].Split(',');
        IDataView scored = model.Transform(data);
        var actual = columns.Select(c => FloatColumns.Read(scored, c).ToArray()).ToArray();

        Assert.Equal(expected.Length - 1, actual[0].Length);
        for (int row = 1; row < expected.Length; row++)
        {
            string[] cells = expected[row].Split(',');
            for (int c = 0; c < columns.Length; c++)
            {
                float[] bits = cells[c].Split(' ').Select(b => BitConverter.Int32BitsToSingle(int.Parse(b, CultureInfo.InvariantCulture))).ToArray();
                Assert.True(bits.SequenceEqual(actual[c][row - 1]), $"{name} row {row - 1} {columns[c]}: saved model predicted {string.Join(" ", bits)}, now {string.Join(" ", actual[c][row - 1])}.");
            }
        }
        FeedForwardPredictionTransformer network = model as FeedForwardPredictionTransformer
            ?? ((IEnumerable<ITransformer>)model).OfType<FeedForwardPredictionTransformer>().Single();
        Assert.Null(network.Model.NumberOfThreads); // format 1 held the trainer's thread count; it is no longer read
    }

    [Fact]
    public void A_format_1_model_saved_again_is_written_in_the_current_format_and_predicts_the_same()
    {
        var ml = new MLContext();
        ml.ComponentCatalog.RegisterNeuralML();
        ITransformer model = ml.Model.Load(PathOf("binary.zip"), out DataViewSchema schema);
        using var file = new TempFile(".zip");
        ml.Model.Save(model, schema, file.Path);
        ITransformer again = ml.Model.Load(file.Path, out _);
        IDataView data = RealData.BreastCancer(ml);
        Assert.Equal(FloatColumns.Read(model.Transform(data), "Probability"), FloatColumns.Read(again.Transform(data), "Probability"));
    }

    /// <summary>Which recorded predictions apply: they differ only where the portable kernels' activations do.</summary>
    private static string Configuration()
        => DenseKernels.Default.Name != "Portable" ? "packed" : Vector128.IsHardwareAccelerated ? "portable" : "portable-scalar";

    private static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Data", "Format1Models", file);
}
