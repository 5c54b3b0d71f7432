using NeuralML.Training;

namespace NeuralML.Tests.Training.Schedules;

/// <summary>
/// <see cref="ReduceOnPlateau"/>: the rate is multiplied by the factor at the end of the patience-th epoch in a row
/// whose loss is not below best·(1 − threshold), applies from the next epoch, never goes below the minimum, and the
/// count starts again after each reduction and each improvement.
/// </summary>
public class ReduceOnPlateauTests
{
    private static EpochReport Training(double loss) => new(1, 100, loss, TimeSpan.Zero);

    private static EpochReport Validated(double trainingLoss, double validationLoss) => new(1, 100, trainingLoss, TimeSpan.Zero, validationLoss);

    /// <summary>Ends an epoch with <paramref name="report"/>, then checks the rate the next epoch will use.</summary>
    private static void EndEpoch(ReduceOnPlateau schedule, EpochReport report, double expectedRate, string when)
    {
        schedule.EpochEnded(report);
        RateAssert.Close(expectedRate, schedule.RateAt(2, 0), when);
    }

    /// <summary>
    /// Patience 3, factor 0.5, threshold 1e-4. Epoch 1 (1.0) improves on +∞; epochs 2 and 3 (1.0) do not: still 0.1.
    /// Epoch 4 (0.99995) is lower but not by 1e-4 relative (it would need &lt; 0.9999): the third epoch without
    /// improvement, so the rate halves to 0.05. The count restarts: two more flat epochs keep 0.05, the third halves again.
    /// </summary>
    [Fact]
    public void LowersTheRateAfterExactlyPatienceEpochsWithoutImprovement()
    {
        var schedule = new ReduceOnPlateau(0.1, factor: 0.5, patience: 3);
        RateAssert.Close(0.1, schedule.RateAt(1, 0), "before any epoch");
        EndEpoch(schedule, Training(1.0), 0.1, "epoch 1 improves");
        EndEpoch(schedule, Training(1.0), 0.1, "epoch 2, one without improvement");
        EndEpoch(schedule, Training(1.0), 0.1, "epoch 3, two without improvement");
        EndEpoch(schedule, Training(0.99995), 0.05, "epoch 4, three without improvement (below the threshold)");
        EndEpoch(schedule, Training(1.0), 0.05, "epoch 5, the count restarted");
        EndEpoch(schedule, Training(1.0), 0.05, "epoch 6");
        EndEpoch(schedule, Training(1.0), 0.025, "epoch 7, three again");
    }

    /// <summary>An improvement by more than the threshold (0.9998 &lt; 0.9999) resets the count before it reaches patience.</summary>
    [Fact]
    public void AnImprovementResetsTheCount()
    {
        var schedule = new ReduceOnPlateau(0.1, factor: 0.5, patience: 3);
        EndEpoch(schedule, Training(1.0), 0.1, "epoch 1");
        EndEpoch(schedule, Training(1.0), 0.1, "epoch 2");
        EndEpoch(schedule, Training(1.0), 0.1, "epoch 3");
        EndEpoch(schedule, Training(0.9998), 0.1, "epoch 4 improves");
        EndEpoch(schedule, Training(0.9998), 0.1, "epoch 5");
        EndEpoch(schedule, Training(0.9998), 0.1, "epoch 6");
        EndEpoch(schedule, Training(0.9998), 0.05, "epoch 7, three since the improvement");
    }

    /// <summary>Factor 0.1 from 0.1 with ηmin 0.003: 0.01, then max(0.001, 0.003) = 0.003, then 0.003 for good.</summary>
    [Fact]
    public void NeverGoesBelowTheMinimum()
    {
        var schedule = new ReduceOnPlateau(0.1, factor: 0.1, patience: 1, minimumRate: 0.003);
        EndEpoch(schedule, Training(1.0), 0.1, "epoch 1");
        EndEpoch(schedule, Training(1.0), 0.01, "epoch 2");
        EndEpoch(schedule, Training(1.0), 0.003, "epoch 3, floored");
        EndEpoch(schedule, Training(1.0), 0.003, "epoch 4, stays");
    }

    /// <summary>The training loss improves every epoch, the validation loss does not: the validation loss decides.</summary>
    [Fact]
    public void WatchesTheValidationLossWhenThereIsOne()
    {
        var schedule = new ReduceOnPlateau(0.1, factor: 0.5, patience: 2);
        EndEpoch(schedule, Validated(3.0, 1.0), 0.1, "epoch 1");
        EndEpoch(schedule, Validated(2.0, 1.0), 0.1, "epoch 2");
        EndEpoch(schedule, Validated(1.0, 1.0), 0.05, "epoch 3");
    }

    /// <summary>Without a validation loss the training loss is watched: improving keeps the rate, a plateau lowers it.</summary>
    [Fact]
    public void WatchesTheTrainingLossWhenThereIsNoValidationLoss()
    {
        var schedule = new ReduceOnPlateau(0.1, factor: 0.5, patience: 2);
        EndEpoch(schedule, Training(3.0), 0.1, "epoch 1");
        EndEpoch(schedule, Training(2.0), 0.1, "epoch 2");
        EndEpoch(schedule, Training(1.0), 0.1, "epoch 3");
        EndEpoch(schedule, Training(1.5), 0.1, "epoch 4");
        EndEpoch(schedule, Training(1.0), 0.05, "epoch 5");
    }

    [Fact]
    public void RejectsBadArguments()
    {
        RateAssert.Rejects("initialRate", () => new ReduceOnPlateau(0));
        RateAssert.Rejects("factor", () => new ReduceOnPlateau(0.1, factor: 1));
        RateAssert.Rejects("factor", () => new ReduceOnPlateau(0.1, factor: 0));
        RateAssert.Rejects("patience", () => new ReduceOnPlateau(0.1, patience: 0));
        RateAssert.Rejects("minimumRate", () => new ReduceOnPlateau(0.1, minimumRate: 0.5));
        RateAssert.Rejects("threshold", () => new ReduceOnPlateau(0.1, threshold: -1e-4));
        RateAssert.Rejects("threshold", () => new ReduceOnPlateau(0.1, threshold: 1));
    }
}
