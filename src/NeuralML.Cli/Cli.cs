using System.CommandLine;
using System.Globalization;
using NeuralML.Cli.Commands;
using NeuralML.Cli.Data;
using Spectre.Console;

namespace NeuralML.Cli;

/// <summary>
/// The <c>neuralml</c> tool's entry point, callable in-process: parses the arguments, runs the command, writes to the
/// given writers, and returns the exit code (<see cref="Success"/>, <see cref="BadInput"/>, <see cref="UsageError"/>).
/// </summary>
public static class Cli
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>An input was bad (a file, a row, a field, a model) or the work failed; the error output says which.</summary>
    public const int BadInput = 1;

    /// <summary>The command line itself was wrong (an unknown command or option, a missing argument).</summary>
    public const int UsageError = 2;

    /// <summary>Runs the tool with plain output (no live display, no colours), as when the output is redirected.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, output, error, interactive: false);

    /// <summary>Runs the tool; <paramref name="interactive"/> turns on the live display and colours (for a terminal).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, bool interactive)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        if (!interactive) console.Profile.Width = 160; // long enough that plain output is not wrapped
        RootCommand root = Commands(console, interactive);
        ParseResult parsed = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        if (parsed.Errors.Count > 0)
        {
            parsed.Invoke(configuration);
            return UsageError;
        }
        try
        {
            return parsed.Invoke(configuration);
        }
        catch (CliException e)
        {
            error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException or FormatException)
        {
            error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
    }

    private static RootCommand Commands(IAnsiConsole console, bool live)
    {
        var root = new RootCommand("neuralml: train, evaluate, inspect and run NeuralML feedforward networks on CSV files.");

        var data = new Argument<string>("data") { Description = "The training CSV: a header line of column names, then one row per example." };
        var label = new Option<string>("--label") { Description = "The label column: what to predict.", Required = true };
        var task = new Option<string>("--task")
        {
            Description = "auto, binary, multiclass or regression. auto: a label of true/false or with two distinct values is binary; " +
                $"text, or integers with at most {SchemaInference.MaxIntegerClasses} distinct values, multiclass; any other numbers, regression.",
            DefaultValueFactory = _ => "auto",
        };
        task.AcceptOnlyFromAmong("auto", "binary", "multiclass", "regression");
        var hidden = new Option<string?>("--hidden") { Description = "Hidden-layer widths, e.g. 128,64 (default: NeuralML's rule: [64] under 1,000 rows, [128, 64] under 3,000, [256, 128] beyond)." };
        var epochs = new Option<int>("--epochs") { Description = $"Epochs at most; early stopping ends training after {TrainCommand.Patience} epochs without a better validation loss.", DefaultValueFactory = _ => 100 };
        var testFraction = new Option<double>("--test-fraction") { Description = "Share of the rows held out to compute the test metrics (0 for none).", DefaultValueFactory = _ => 0.2 };
        var seed = new Option<int>("--seed") { Description = "Seed of the test split and of training: the same seed gives the same model.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "The model file to write (.zip).", Required = true };
        var onnx = new Option<string?>("--onnx") { Description = "Also export the whole pipeline to this ONNX file." };
        var plot = new Option<string?>("--plot") { Description = "Also draw the training and validation loss per epoch, the kept epoch marked, to this PNG (800x500)." };
        var train = new Command("train", "Train a network on a CSV file. Column kinds are inferred: true/false is Boolean, all numbers is numeric, " +
            "anything else is a category (one-hot); a column at least 90% numbers with text in it is an error. Empty, NA, N/A, NaN, null and ? are missing values " +
            "(numbers: replaced by the training mean; categories: all zeros). The features are standardised; rows without a label are skipped.")
        {
            data, label, task, hidden, epochs, testFraction, seed, output, onnx, plot,
        };
        train.SetAction(p =>
        {
            int epochCount = p.GetValue(epochs);
            double fraction = p.GetValue(testFraction);
            if (epochCount < 1) throw new CliException($"--epochs is {epochCount}; give at least 1.");
            if (fraction is < 0 or >= 1) throw new CliException($"--test-fraction is {fraction.ToString(CultureInfo.InvariantCulture)}; give a value from 0 up to (not including) 1.");
            return TrainCommand.Run(new TrainArguments(p.GetValue(data)!, p.GetValue(label)!, ParseTask(p.GetValue(task)!), ParseHidden(p.GetValue(hidden)),
                epochCount, fraction, p.GetValue(seed), p.GetValue(output)!, p.GetValue(onnx), p.GetValue(plot)), console, live);
        });
        root.Subcommands.Add(train);

        var model = new Argument<string>("model") { Description = "A model file written by 'neuralml train'." };
        var testData = new Argument<string>("data") { Description = "A CSV with the training file's header, label included." };
        var evaluate = new Command("evaluate", "Print the model's metrics on a labelled CSV.") { model, testData };
        evaluate.SetAction(p => EvaluateCommand.Run(p.GetValue(model)!, p.GetValue(testData)!, console));
        root.Subcommands.Add(evaluate);

        var predictModel = new Argument<string>("model") { Description = "A model file written by 'neuralml train'." };
        var rows = new Argument<string>("data") { Description = "A CSV with the training file's feature columns (a label column is copied, not read)." };
        var predictions = new Option<string>("--out") { Description = "The CSV to write: each input row followed by its prediction.", Required = true };
        var predict = new Command("predict", "Predict every row of a CSV, streaming (any size).") { predictModel, rows, predictions };
        predict.SetAction(p => PredictCommand.Run(p.GetValue(predictModel)!, p.GetValue(rows)!, p.GetValue(predictions)!, console));
        root.Subcommands.Add(predict);

        var infoModel = new Argument<string>("model") { Description = "A model file written by 'neuralml train'." };
        var info = new Command("info", "Show a model's input columns, pipeline, network layers and training history.") { infoModel };
        info.SetAction(p => InfoCommand.Run(p.GetValue(infoModel)!, console));
        root.Subcommands.Add(info);
        return root;
    }

    private static TaskKind? ParseTask(string task) => task switch
    {
        "binary" => TaskKind.Binary,
        "multiclass" => TaskKind.Multiclass,
        "regression" => TaskKind.Regression,
        _ => null,
    };

    private static int[]? ParseHidden(string? text)
    {
        if (text is null) return null;
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1)
                throw new CliException($"--hidden '{text}': give positive layer widths separated by commas, e.g. 128,64.");
        return widths;
    }
}
