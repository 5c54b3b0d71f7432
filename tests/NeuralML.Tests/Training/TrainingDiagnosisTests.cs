using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary><see cref="TrainingDiagnosis"/>'s rules on histories written by hand, each just inside and just outside its threshold.</summary>
public class TrainingDiagnosisTests
{
    private static List<EpochReport> History(double[] losses, double[]? validation = null)
        => losses.Select((loss, i) => new EpochReport(i + 1, losses.Length, loss, TimeSpan.FromSeconds(1), validation?[i], 0.01f)).ToList();

    [Fact]
    public void A_loss_that_grew_past_one_and_a_half_times_its_minimum_is_diverging()
    {
        Assert.Equal(DiagnosisKind.Diverging, TrainingDiagnosis.Of(History([1.0, 0.4, 0.5, 0.61]), 4, 1.0).Kind);
        Assert.NotEqual(DiagnosisKind.Diverging, TrainingDiagnosis.Of(History([1.0, 0.4, 0.5, 0.59]), 4, 1.0).Kind);
    }

    [Fact]
    public void A_final_loss_above_a_constant_predictions_is_worse_than_constant_before_any_other_finding()
    {
        // It would also be diverging (2.5 times its minimum); being worse than the mean is the finding that matters.
        TrainingDiagnosis diagnosis = TrainingDiagnosis.Of(History([0.8, 0.4, 1.01]), 2, 1.0);
        Assert.Equal(DiagnosisKind.WorseThanConstant, diagnosis.Kind);
        Assert.Contains("worse than the mean", diagnosis.Text);
        Assert.Contains("LearningRate", diagnosis.Text);
        Assert.Equal(DiagnosisKind.Diverging, TrainingDiagnosis.Of(History([0.8, 0.4, 0.99]), 2, 1.0).Kind);
        // No constant loss known (0): the rule does not apply.
        Assert.Equal(DiagnosisKind.Diverging, TrainingDiagnosis.Of(History([0.8, 0.4, 1.01]), 2, 0.0).Kind);
    }

    [Fact]
    public void A_high_flat_loss_is_underfitting()
    {
        // 0.8 of a constant prediction's loss, 1% lower than a quarter of the epochs ago: high and flat.
        double[] flat = [1.0, 0.9, 0.85, 0.82, 0.81, 0.808, 0.805, 0.8];
        TrainingDiagnosis diagnosis = TrainingDiagnosis.Of(History(flat), 8, 1.0);
        Assert.Equal(DiagnosisKind.Underfitting, diagnosis.Kind);
        Assert.Contains("underfits", diagnosis.Text);
        // Still falling (by 5% over the last quarter), or low: no diagnosis of underfitting.
        Assert.NotEqual(DiagnosisKind.Underfitting, TrainingDiagnosis.Of(History([1.0, 0.95, 0.9, 0.88, 0.86, 0.85, 0.83, 0.8]), 8, 1.0).Kind);
        Assert.NotEqual(DiagnosisKind.Underfitting, TrainingDiagnosis.Of(History(flat), 8, 2.0).Kind);
    }

    [Fact]
    public void A_validation_loss_rising_while_the_training_loss_falls_is_overfitting()
    {
        double[] training = [1.0, 0.6, 0.4, 0.3, 0.2, 0.1];
        TrainingDiagnosis diagnosis = TrainingDiagnosis.Of(History(training, [1.0, 0.7, 0.6, 0.62, 0.65, 0.7]), 3, 1.0);
        Assert.Equal(DiagnosisKind.Overfitting, diagnosis.Kind);
        Assert.Contains("epoch 3", diagnosis.Text);
        // A rise under 10% is noise.
        Assert.Equal(DiagnosisKind.None, TrainingDiagnosis.Of(History(training, [1.0, 0.7, 0.6, 0.62, 0.64, 0.65]), 3, 1.0).Kind);
    }

    [Fact]
    public void A_run_that_went_well_says_so()
    {
        TrainingDiagnosis diagnosis = TrainingDiagnosis.Of(History([1.0, 0.5, 0.3, 0.2, 0.15], [1.0, 0.6, 0.4, 0.35, 0.34]), 5, 0.69);
        Assert.Equal(DiagnosisKind.None, diagnosis.Kind);
        Assert.StartsWith("No problem found", diagnosis.Text);
    }
}
