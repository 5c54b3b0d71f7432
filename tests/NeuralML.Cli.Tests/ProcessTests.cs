using System.Diagnostics;

namespace NeuralML.Cli.Tests;

/// <summary>The real tool as a separate process: its exit codes and streams, as a shell sees them.</summary>
public sealed class ProcessTests(TrainedModels models) : IClassFixture<TrainedModels>
{
    private static (int Code, string Out, string Err) Spawn(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "NeuralML.Cli.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync(), error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the tool finished within a minute");
        return (process.ExitCode, output.Result, error.Result);
    }

    [Fact]
    public void The_tool_reports_success_and_bad_input_through_its_exit_code()
    {
        (int code, string output, string error) = Spawn("info", models.Housing.Model);
        Assert.True(code == 0, error);
        Assert.Contains("regression of 'MEDV'", output, StringComparison.Ordinal);

        string notModel = Path.Combine(CliRunner.NewFolder(), "x.zip");
        File.WriteAllText(notModel, "x");
        (code, _, error) = Spawn("info", notModel);
        Assert.Equal(1, code);
        Assert.StartsWith($"error: {notModel}: not a model file", error, StringComparison.Ordinal);
    }
}
