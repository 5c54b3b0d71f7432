using NeuralML.Cli;

namespace NeuralML.Cli.Tests;

/// <summary>Runs the tool in-process and captures its exit code and output; paths to the shared data and a scratch folder.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = NeuralML.Cli.Cli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    public static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "Data", name);

    /// <summary>A new empty folder under the system's temporary folder.</summary>
    public static string NewFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "neuralml-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Writes lines to a new CSV in <paramref name="folder"/>.</summary>
    public static string WriteCsv(string folder, string name, params string[] lines)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }
}
