using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Tests.Scoring;

/// <summary>
/// Thread safety of scoring, kept as a regression test: eight threads scoring through the same transformer's
/// <c>Transform</c> (each with its own cursor) and eight through their own <c>PredictionEngine</c> give serial scoring's
/// bits, for a folded ensemble (the defaults on small data) and a single network sharing its kernels' worker threads.
/// </summary>
public class ParallelScoringTests
{
    private const int Threads = 8;

    private sealed class Row
    {
        [VectorType(6)] public float[] Features { get; set; } = [];
        public uint Label { get; set; }
    }

    private sealed class Prediction
    {
        [VectorType] public float[] Score { get; set; } = [];
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Eight_threads_score_as_one_does_bit_for_bit(bool defaults)
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        List<Row> rows = Enumerable.Range(0, 900).Select(_ =>
        {
            float[] x = Enumerable.Range(0, 6).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray();
            return new Row { Features = x, Label = (uint)(x[0] + x[1] * x[2] > 0 ? 1 : x[3] > 0.3 ? 2 : 3) };
        }).ToList();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var options = defaults ? new FeedForwardMulticlassTrainer.Options { Seed = 1 } : new FeedForwardMulticlassTrainer.Options { HiddenLayers = [256, 128], Epochs = 2, Seed = 1 };
        ITransformer model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.FeedForward(options)).Fit(data);

        float[][] serial = ml.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).Select(p => p.Score).ToArray();

        var throughTransform = new float[Threads][][];
        var throughEngines = new float[Threads][][];
        // Sixteen threads of their own, released together by a barrier: a thread pool would start them a few at a time
        // on a small machine, and some might finish before others begin.
        using var start = new Barrier(2 * Threads);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        Thread[] threads = [.. Enumerable.Range(0, 2 * Threads).Select(t => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                if (t < Threads)
                    throughTransform[t] = ml.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).Select(p => p.Score).ToArray();
                else
                {
                    using var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model);
                    throughEngines[t - Threads] = rows.Select(r => (float[])engine.Predict(r).Score.Clone()).ToArray();
                }
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
            }
        }))];
        foreach (Thread thread in threads) thread.Start();
        foreach (Thread thread in threads) thread.Join();
        Assert.Empty(errors);

        for (int t = 0; t < Threads; t++)
            for (int i = 0; i < serial.Length; i++)
            {
                Assert.Equal(serial[i], throughTransform[t][i]);
                Assert.Equal(serial[i], throughEngines[t][i]);
            }
    }
}
