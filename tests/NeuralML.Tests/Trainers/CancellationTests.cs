using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Tests.Trainers;

/// <summary>Training stops when the MLContext is cancelled (AutoML does so at its time budget).</summary>
public class CancellationTests
{
    [Fact]
    public void Cancelling_the_MLContext_stops_training()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 200).Select(i => new Row { Features = [i, 1, 2, 3, 4], Label = i }));
        var trainer = ml.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options { Epochs = 100, EarlyStoppingRounds = 0 });
        // MLContext.CancelExecution is internal in ML.NET 5 (AutoML calls it at its time budget).
        typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!.Invoke(ml, null);
        Assert.Throws<OperationCanceledException>(() => trainer.Fit(data));
    }

    private sealed class Row
    {
        [VectorType(5)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }
}
