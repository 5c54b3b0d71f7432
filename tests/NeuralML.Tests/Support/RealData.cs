using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Tests.Support;

/// <summary>
/// The real data sets copied from ../shared/data into tests/NeuralML.Tests/Data (sources in Data/README.md), loaded as
/// ML.NET users load them: a Features vector and a Label column.
/// </summary>
internal static class RealData
{
    private static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Data", file);

    /// <summary>Iris: 150 rows, 4 features, the species as text in column "Species".</summary>
    public static IDataView Iris(MLContext ml) => ml.Data.LoadFromTextFile(PathOf("iris.csv"),
        [new TextLoader.Column("Features", DataKind.Single, 0, 3), new TextLoader.Column("Species", DataKind.String, 4)],
        separatorChar: ',', hasHeader: true);

    /// <summary>Wisconsin breast cancer: 569 rows, 30 features, Boolean label "malignant".</summary>
    public static IDataView BreastCancer(MLContext ml) => ml.Data.LoadFromTextFile(PathOf("breast_cancer.csv"),
        [new TextLoader.Column("Features", DataKind.Single, 0, 29), new TextLoader.Column("Label", DataKind.Boolean, 30)],
        separatorChar: ',', hasHeader: true);

    /// <summary>Diabetes: 442 rows, 10 unscaled features, disease progression as the float label.</summary>
    public static IDataView Diabetes(MLContext ml) => ml.Data.LoadFromTextFile(PathOf("diabetes.csv"),
        [new TextLoader.Column("Features", DataKind.Single, 0, 9), new TextLoader.Column("Label", DataKind.Single, 10)],
        separatorChar: ',', hasHeader: true);

    /// <summary>Boston housing: 506 rows, 13 unscaled features, the median value (MEDV) as the float label.</summary>
    public static IDataView Housing(MLContext ml) => ml.Data.LoadFromTextFile(PathOf("housing.csv"),
        [new TextLoader.Column("Features", DataKind.Single, 0, 12), new TextLoader.Column("Label", DataKind.Single, 13)],
        separatorChar: ',', hasHeader: true);
}
