using System.Globalization;
using Spectre.Console;

namespace NeuralML.Cli.Output;

/// <summary>
/// Shows training as it runs: on a terminal, Spectre's live progress bar per epoch with the latest training and
/// validation loss and the time left; when the output is redirected, one plain line per epoch with the same facts.
/// The time left assumes every epoch runs (early stopping may end training sooner).
/// </summary>
public sealed class TrainingProgress(IAnsiConsole console, bool live, int epochs, string metricName)
{
    /// <summary>Runs <paramref name="train"/>, handing it the per-epoch callback that updates the display.</summary>
    public T Run<T>(Func<Func<FeedForwardEpoch, bool>, T> train)
    {
        if (!live) return train(epoch => { console.WriteLine(Line(epoch)); return true; });
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask("reading the data", maxValue: epochs);
                result = train(epoch =>
                {
                    task.Description = Markup.Escape(Describe(epoch, compact: true));
                    task.Value = epoch.Epoch;
                    return true;
                });
                task.Value = epochs; // early stopping ends before the last epoch
            });
        return result;
    }

    // The live bar shares a terminal line with the description, hence the compact form there.
    private string Describe(FeedForwardEpoch epoch, bool compact = false)
    {
        string number = epoch.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(epochs.ToString(CultureInfo.InvariantCulture).Length);
        string text = string.Create(CultureInfo.InvariantCulture, $"epoch {number}/{epochs}  {(compact ? "train" : "training loss")} {epoch.TrainingLoss:F4}");
        if (epoch.ValidationLoss is double loss) text += string.Create(CultureInfo.InvariantCulture, $"  {(compact ? "valid" : "validation loss")} {loss:F4}");
        if (epoch.ValidationMetric is double metric) text += string.Create(CultureInfo.InvariantCulture, $"  {metricName} {metric:F4}");
        return text;
    }

    private readonly List<double> _seconds = [];

    private string Line(FeedForwardEpoch epoch)
    {
        double seconds = epoch.Elapsed?.TotalSeconds ?? 0;
        _seconds.Add(seconds);
        double left = _seconds.Average() * (epochs - epoch.Epoch);
        return Describe(epoch) + string.Create(CultureInfo.InvariantCulture, $"  {seconds:F2} s  ~{left:F0} s left");
    }
}
