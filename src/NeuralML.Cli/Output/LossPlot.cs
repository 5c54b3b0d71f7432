using ScottPlot;

namespace NeuralML.Cli.Output;

/// <summary>The loss curves as a PNG: training and validation loss per epoch, and the kept epoch marked.</summary>
public static class LossPlot
{
    /// <summary>The image's width in pixels.</summary>
    public const int Width = 800;

    /// <summary>The image's height in pixels.</summary>
    public const int Height = 500;

    /// <summary>Draws <paramref name="history"/> and writes the PNG to <paramref name="path"/>.</summary>
    public static void Save(FeedForwardTrainingHistory history, string title, bool standardisedLoss, string path)
    {
        var plot = new Plot();
        double[] epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        var training = plot.Add.Scatter(epochs, history.Epochs.Select(e => e.TrainingLoss).ToArray());
        training.LegendText = "training loss";
        FeedForwardEpoch[] watched = history.Epochs.Where(e => e.ValidationLoss is not null).ToArray();
        if (watched.Length > 0)
        {
            var validation = plot.Add.Scatter(watched.Select(e => (double)e.Epoch).ToArray(), watched.Select(e => e.ValidationLoss!.Value).ToArray());
            validation.LegendText = "validation loss";
        }
        var kept = plot.Add.VerticalLine(history.KeptEpoch);
        kept.LegendText = $"kept epoch ({history.KeptEpoch})";
        kept.LinePattern = LinePattern.Dashed;
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(standardisedLoss ? "loss (on standardised labels)" : "loss");
        plot.ShowLegend(Alignment.UpperRight);
        File.WriteAllBytes(path, plot.GetImageBytes(Width, Height, ImageFormat.Png));
    }
}
