using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NeuralML.Quality;

// The quality protocol of issue 9: every data set over ten split seeds, NeuralML's defaults against ML.NET's trees
// (and LbfgsMaximumEntropy) and scikit-learn's MLP on the same rows; prints one markdown table.
var datasets = new Option<string[]>("--datasets") { Description = "Data sets to run (default: all; none: only Fashion-MNIST).", AllowMultipleArgumentsPerToken = true };
var splits = new Option<int>("--splits") { Description = "Split seeds 0..n-1.", DefaultValueFactory = _ => 10 };
var methods = new Option<string[]>("--methods")
{
    Description = "Methods: nn (NeuralML, defaults plus --set), baseline (NeuralML with --baseline), lightgbm, reference (FastTree or LbfgsMaximumEntropy), sklearn.",
    AllowMultipleArgumentsPerToken = true,
    DefaultValueFactory = _ => ["nn", "lightgbm", "reference", "sklearn"],
};
var set = new Option<string[]>("--set") { Description = "Name=Value: a FeedForward option for nn (repeatable).", AllowMultipleArgumentsPerToken = true };
var baseline = new Option<string[]>("--baseline") { Description = "Name=Value: a FeedForward option for the baseline column (repeatable).", AllowMultipleArgumentsPerToken = true };
var fashion = new Option<string?>("--fashion-mnist") { Description = "Directory of Fashion-MNIST's IDX files; runs nn and lightgbm on its own split." };
var json = new Option<string?>("--json") { Description = "Also write every result to this file." };
var root = new RootCommand("NeuralML's quality protocol") { datasets, splits, methods, set, baseline, fashion, json };
root.SetAction(parsed => Run(
    parsed.GetValue(datasets) ?? [], parsed.GetValue(splits), parsed.GetValue(methods)!, OptionSetter.Pairs(parsed.GetValue(set) ?? []),
    parsed.GetValue(baseline) is { Length: > 0 } b ? OptionSetter.Pairs(b) : null, parsed.GetValue(fashion), parsed.GetValue(json)));
return root.Parse(args).Invoke();

static int Run(string[] names, int splits, string[] methodKeys, Dictionary<string, string> options, Dictionary<string, string>? baseline, string? fashion, string? json)
{
    string root = RepositoryRoot();
    Dictionary<string, string> known = new()
    {
        ["nn"] = Protocol.NeuralML, ["baseline"] = Protocol.Baseline, ["lightgbm"] = Protocol.LightGbm, ["reference"] = Protocol.Reference, ["sklearn"] = Report.ScikitLearn,
    };
    string[] methods = methodKeys.SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries))
        .Select(m => known.TryGetValue(m, out string? method) ? method : throw new ArgumentException($"Unknown method '{m}'; known: {string.Join(", ", known.Keys)}.")).ToArray();
    if (methods.Contains(Protocol.Baseline) && baseline is null) throw new ArgumentException("The baseline method needs --baseline Name=Value options.");
    string[] selected = names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToArray();
    IEnumerable<DataSet> sets = selected is ["none"] ? [] : selected.Length == 0 ? DataSet.All
        : selected.Select(n => DataSet.All.FirstOrDefault(d => d.Name == n) ?? throw new ArgumentException($"Unknown data set '{n}'; known: {string.Join(", ", DataSet.All.Select(d => d.Name))}."));

    string exchange = Directory.CreateTempSubdirectory("neuralml-quality-").FullName;
    try
    {
        bool sklearn = methods.Contains(Report.ScikitLearn);
        var protocol = new Protocol(root, splits, options, baseline, sklearn ? exchange : null);
        string[] dotnetMethods = methods.Where(m => m != Report.ScikitLearn).ToArray();
        var results = new List<Result>();
        foreach (DataSet data in sets)
        {
            foreach (Result result in protocol.Run(data, dotnetMethods))
            {
                results.Add(result);
                Console.Error.WriteLine($"{result.DataSet} split {result.Split} {result.Method}: {result.Metric:F4} in {result.Seconds:F2} s");
            }
            if (sklearn) results.AddRange(ScikitLearn(root, exchange, data, splits));
        }
        if (fashion is not null)
        {
            foreach (Result result in protocol.RunFashionMnist(fashion, dotnetMethods.Where(m => m is Protocol.NeuralML or Protocol.Baseline or Protocol.LightGbm).ToArray()))
            {
                results.Add(result);
                Console.Error.WriteLine($"{result.DataSet} {result.Method}: {result.Metric:F4} in {result.Seconds:F2} s");
            }
        }
        if (json is not null) File.WriteAllText(json, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine(Report.Markdown(results, methods, splits, options, baseline));
        return 0;
    }
    finally
    {
        Directory.Delete(exchange, recursive: true);
    }
}

static IEnumerable<Result> ScikitLearn(string root, string exchange, DataSet data, int splits)
{
    var start = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(root, "benchmarks/quality/sklearn_mlp.py"), exchange, data.Name, data.Task.ToString(), splits.ToString(CultureInfo.InvariantCulture)])
    {
        RedirectStandardOutput = true,
    };
    using Process python = Process.Start(start) ?? throw new InvalidOperationException("Cannot start /usr/bin/python3 (Debian's python3-sklearn).");
    var results = new List<Result>();
    while (python.StandardOutput.ReadLine() is string line)
    {
        using JsonDocument document = JsonDocument.Parse(line);
        JsonElement row = document.RootElement;
        var result = new Result(data.Name, Report.ScikitLearn, row.GetProperty("split").GetInt32(), row.GetProperty("metric").GetDouble(), row.GetProperty("seconds").GetDouble());
        Console.Error.WriteLine($"{result.DataSet} split {result.Split} {result.Method}: {result.Metric:F4} in {result.Seconds:F2} s");
        results.Add(result);
    }
    python.WaitForExit();
    if (python.ExitCode != 0) throw new InvalidOperationException($"sklearn_mlp.py failed on {data.Name} (exit code {python.ExitCode}).");
    return results;
}

static string RepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        if (File.Exists(Path.Combine(directory.FullName, "NeuralML.sln"))) return directory.FullName;
    throw new InvalidOperationException("Run from inside the repository (NeuralML.sln not found above the program).");
}
