using System.Diagnostics;
using System.Runtime.CompilerServices;
using NeuralML.Numerics;

namespace NeuralML.Training;

/// <summary>
/// The epoch and batch loop: every epoch visits the training rows in a fresh shuffled order (window by window when
/// they are streamed), one optimizer step per batch at the schedule's rate, then measures the validation rows, lets early stopping decide, and reports.
/// </summary>
internal sealed class EpochLoop(TrainingObjective objective, IOptimizer optimizer, ILearningRateSchedule schedule, IEpochRows epochRows, ValidationRows validation,
    bool standardizeValidationBatches, EarlyStopping? earlyStopping, Xoshiro256StarStar random)
{
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite (training diverged).</exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested.</exception>
    /// <param name="epochs">The most epochs to run.</param>
    /// <param name="batchSize">Rows per optimizer step.</param>
    /// <param name="cancellation">Checked before every batch.</param>
    /// <param name="progress">Called after every epoch; returning false ends training after that epoch.</param>
    public List<EpochReport> Run(int epochs, int batchSize, TrainingCancellation cancellation, Func<EpochReport, bool>? progress)
    {
        // Room for the usual number of epochs, not for Epochs itself (which may be int.MaxValue with early stopping).
        var history = new List<EpochReport>(Math.Min(epochs, 256));
        long step = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            long started = Stopwatch.GetTimestamp();
            double lossSum = 0, weightSum = 0;
            float epochRate = schedule.RateAt(epoch, step);
            foreach (int[] rows in epochRows.Windows(epoch, random))
            {
                for (int start = 0; start < rows.Length; start += batchSize)
                {
                    cancellation.ThrowIfRequested();
                    (double loss, double weight) = optimizer.Step(objective, rows.AsSpan(start, Math.Min(batchSize, rows.Length - start)), schedule.RateAt(epoch, step++));
                    lossSum += loss;
                    weightSum += weight;
                }
            }
            double meanLoss = weightSum > 0 ? lossSum / weightSum : 0;
            if (!double.IsFinite(meanLoss) || !AllFinite(objective.Parameters))
                throw new InvalidOperationException(
                    $"Training diverged in epoch {epoch}: the loss is {meanLoss}. Lower the learning rate (option LearningRate; the rate was {epochRate}) or normalise the features.");

            double? validationLoss = null, metric = null;
            if (validation.Set is { } set && validation.Rows.Length > 0)
            {
                (double validationSum, double validationWeight, metric) = objective.Loss(set, validation.Rows, standardizeValidationBatches);
                validationLoss = validationWeight > 0 ? validationSum / validationWeight : 0;
                earlyStopping?.Observe(epoch, validationLoss.Value, objective.Parameters);
            }
            var report = new EpochReport(epoch, epochs, meanLoss, Stopwatch.GetElapsedTime(started), validationLoss, epochRate, metric);
            history.Add(report);
            schedule.EpochEnded(report);
            bool goOn = progress?.Invoke(report) ?? true;
            if (!goOn || earlyStopping?.ShouldStop(epoch) == true || optimizer.Converged) break;
        }
        return history;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
            if (!float.IsFinite(v)) return false;
        return true;
    }
}
