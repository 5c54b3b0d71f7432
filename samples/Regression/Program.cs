// Regression: the median home value of Boston census tracts (MEDV, $1000s) from 13 inputs (Harrison & Rubinfeld 1978,
// UCI; Data/housing.csv). Trains with the defaults, then with early stopping on held-out rows, and prints for each the
// test metrics and what training recorded: the epoch-by-epoch history (training loss, held-out loss and R², learning
// rate; saved with the model) and the diagnosis read from it.
using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML;

var mlContext = new MLContext(seed: 1);
string path = Path.Combine(AppContext.BaseDirectory, "Data", "housing.csv");
IDataView data = mlContext.Data.LoadFromTextFile(path,
[
    new TextLoader.Column("Features", DataKind.Single, 0, 12),
    new TextLoader.Column("Label", DataKind.Single, 13),
], separatorChar: ',', hasHeader: true);
var split = mlContext.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);

// The defaults: on this few rows, cross-validation chooses among three recipes and averages its five fold networks
// (one network of five times the width); every row trains, so the history has no held-out columns.
var pipeline = mlContext.Transforms.NormalizeMeanVariance("Features")
    .Append(mlContext.Regression.Trainers.FeedForward(labelColumnName: "Label", featureColumnName: "Features"));
Console.WriteLine("Training a FeedForward regressor on housing.csv (80% train, 20% test), default options...");
FeedForwardModelParameters network = TrainAndReport(pipeline);
Console.WriteLine(network.Summary());

// Early stopping holds 10% of the training rows out and keeps the epoch with the lowest loss on them; the history then
// shows the held-out loss and R² epoch by epoch.
var earlyStopping = mlContext.Transforms.NormalizeMeanVariance("Features")
    .Append(mlContext.Regression.Trainers.FeedForward(new FeedForwardRegressionTrainer.Options
    {
        HiddenLayers = [128, 64],
        EarlyStoppingRounds = 20,
    }));
Console.WriteLine();
Console.WriteLine("Training again with HiddenLayers = [128, 64] and EarlyStoppingRounds = 20...");
TrainAndReport(earlyStopping);

FeedForwardModelParameters TrainAndReport(EstimatorChain<FeedForwardPredictionTransformer> estimator)
{
    var model = estimator.Fit(split.TrainSet);
    RegressionMetrics metrics = mlContext.Regression.Evaluate(model.Transform(split.TestSet));
    Console.WriteLine($"Test R²: {metrics.RSquared:F3}  MAE: {metrics.MeanAbsoluteError:F2}  RMSE: {metrics.RootMeanSquaredError:F2} ($1000s)");
    FeedForwardModelParameters trained = model.LastTransformer.Model;
    FeedForwardTrainingHistory history = trained.TrainingHistory;
    // history.ToString() is the whole table; here every tenth of the epochs, the kept epoch and the last.
    int step = Math.Max(1, history.Epochs.Count / 10);
    Console.WriteLine($"Training history ({history.Epochs.Count} epochs; losses on standardised labels):");
    Console.WriteLine($"{"epoch",7} {"training loss",14} {"held-out loss",14} {"held-out " + history.ValidationMetricName,12} {"learning rate",14}");
    foreach (FeedForwardEpoch e in history.Epochs.Where(e => e.Epoch % step == 0 || e.Epoch == 1 || e.Epoch == history.KeptEpoch || e.Epoch == history.Epochs.Count))
    {
        Console.WriteLine($"{e.Epoch,7} {e.TrainingLoss,14:F4} {Show(e.ValidationLoss),14} {Show(e.ValidationMetric),12} {Show(e.LearningRate),14}"
            + (e.Epoch == history.KeptEpoch ? "  (kept)" : ""));
    }
    Console.WriteLine($"Diagnosis: {trained.TrainingDiagnosis}");
    return trained;
}

static string Show(double? value) => value is double v ? v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) : "-";
