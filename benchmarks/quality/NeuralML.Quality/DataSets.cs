using nietras.SeparatedValues;

namespace NeuralML.Quality;

/// <summary>The kind of prediction a data set asks for, and the metric the protocol reports for it.</summary>
internal enum Task
{
    /// <summary>ROC AUC.</summary>
    Binary,

    /// <summary>Accuracy.</summary>
    Multiclass,

    /// <summary>R².</summary>
    Regression,
}

/// <summary>
/// One data set of the protocol: a CSV file with a header, the target in the last column; the columns listed as
/// categorical are text (one-hot encoded), the others numbers (an empty field is missing).
/// </summary>
/// <param name="Name">The name in the table.</param>
/// <param name="File">The path from the repository root.</param>
/// <param name="Task">What to predict.</param>
/// <param name="Positive">For binary data sets, the target value that counts as true.</param>
/// <param name="Categorical">The names of the text columns.</param>
internal sealed record DataSet(string Name, string File, Task Task, string? Positive = null, string[]? Categorical = null)
{
    public double TestFraction => Task == Task.Regression ? 0.2 : 0.3;

    public string Metric => Task switch
    {
        Task.Binary => "AUC",
        Task.Multiclass => "accuracy",
        _ => "R²",
    };

    /// <summary>The data sets of the protocol, smallest first.</summary>
    public static IReadOnlyList<DataSet> All { get; } =
    [
        new("servo", "benchmarks/quality/data/servo.csv", Task.Regression, Categorical: ["Motor", "Screw"]),
        new("iris", "tests/NeuralML.Tests/Data/iris.csv", Task.Multiclass),
        new("sonar", "benchmarks/quality/data/sonar.csv", Task.Binary, Positive: "M"),
        new("glass", "benchmarks/quality/data/glass.csv", Task.Multiclass),
        new("ionosphere", "benchmarks/quality/data/ionosphere.csv", Task.Binary, Positive: "good"),
        new("housevotes84", "benchmarks/quality/data/housevotes84.csv", Task.Binary, Positive: "republican",
            Categorical: [.. Enumerable.Range(1, 16).Select(i => $"V{i}")]),
        new("diabetes", "tests/NeuralML.Tests/Data/diabetes.csv", Task.Regression),
        new("housing", "tests/NeuralML.Tests/Data/housing.csv", Task.Regression),
        new("breast_cancer", "tests/NeuralML.Tests/Data/breast_cancer.csv", Task.Binary, Positive: "true"),
        new("soybean", "benchmarks/quality/data/soybean.csv", Task.Multiclass,
            Categorical: ["date", "plant.stand", "precip", "temp", "hail", "crop.hist", "area.dam", "sever", "seed.tmt", "germ", "plant.growth",
                "leaves", "leaf.halo", "leaf.marg", "leaf.size", "leaf.shread", "leaf.malf", "leaf.mild", "stem", "lodging", "stem.cankers",
                "canker.lesion", "fruiting.bodies", "ext.decay", "mycelium", "int.discolor", "sclerotia", "fruit.pods", "fruit.spots", "seed",
                "mold.growth", "seed.discolor", "seed.size", "shriveling", "roots"]),
        new("pima", "benchmarks/quality/data/pima.csv", Task.Binary, Positive: "pos"),
        new("vehicle", "benchmarks/quality/data/vehicle.csv", Task.Multiclass),
        new("satellite", "benchmarks/quality/data/satellite.csv", Task.Multiclass),
        new("letter", "benchmarks/quality/data/letter.csv", Task.Multiclass),
    ];

    /// <summary>Reads the file: numeric columns (NaN where missing), text columns, and the target as text.</summary>
    public Table Read(string root)
    {
        using SepReader reader = Sep.Reader(o => o with { Unescape = true }).FromFile(Path.Combine(root, File));
        string[] header = reader.Header.ColNames.ToArray();
        string[] categorical = Categorical ?? [];
        int[] numericColumns = Enumerable.Range(0, header.Length - 1).Where(i => !categorical.Contains(header[i])).ToArray();
        int[] textColumns = Enumerable.Range(0, header.Length - 1).Where(i => categorical.Contains(header[i])).ToArray();
        var numeric = new List<float[]>();
        var text = new List<string[]>();
        var targets = new List<string>();
        foreach (SepReader.Row row in reader)
        {
            var fields = new string[header.Length];
            for (int i = 0; i < fields.Length; i++) fields[i] = row[i].ToString();
            numeric.Add(numericColumns.Select(i => fields[i] is "" or "NA" ? float.NaN : float.Parse(fields[i], System.Globalization.CultureInfo.InvariantCulture)).ToArray());
            text.Add(textColumns.Select(i => fields[i]).ToArray());
            targets.Add(fields[^1]);
        }
        return new Table(numeric, text, targets, Positive ?? "");
    }
}

/// <summary>A data set's rows as read: numeric features, text features, the target as text, and the value of a binary target that counts as true.</summary>
internal sealed record Table(List<float[]> Numeric, List<string[]> Text, List<string> Targets, string Positive)
{
    public int Rows => Targets.Count;
}
