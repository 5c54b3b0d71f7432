namespace NeuralML.Cli.Tests;

/// <summary>
/// One small model per task, trained once through the tool for the whole test class (5 epochs: these tests are about
/// the tool, not about quality): iris (multiclass), housing (regression), breast cancer (binary, with ONNX and plot).
/// </summary>
public sealed class TrainedModels
{
    public TrainedModels()
    {
        Folder = CliRunner.NewFolder();
        Iris = Train("iris.csv", "species", "iris");
        Housing = Train("housing.csv", "MEDV", "housing");
        Cancer = Train("breast_cancer.csv", "malignant", "cancer");
    }

    public string Folder { get; }

    public Trained Iris { get; }

    public Trained Housing { get; }

    public Trained Cancer { get; }

    private Trained Train(string data, string label, string name)
    {
        string model = Path.Combine(Folder, name + ".zip"), onnx = Path.Combine(Folder, name + ".onnx"), plot = Path.Combine(Folder, name + ".png");
        (int code, string output, string error) = CliRunner.Run("train", CliRunner.Data(data), "--label", label, "--epochs", "5", "--hidden", "16",
            "--out", model, "--onnx", onnx, "--plot", plot);
        return new Trained(CliRunner.Data(data), model, onnx, plot, code, output, error);
    }
}

public sealed record Trained(string Data, string Model, string Onnx, string Plot, int Code, string Out, string Err);
