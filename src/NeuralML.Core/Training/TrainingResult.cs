using NeuralML.Network;

namespace NeuralML.Training;

/// <summary>A trained network with its per-epoch history and the epoch whose parameters it kept.</summary>
/// <param name="Network">The network, reading raw features and predicting in the label's units.</param>
/// <param name="History">One report per epoch run.</param>
/// <param name="BestEpoch">The epoch whose parameters were kept: the best on the validation rows with early stopping, else the last.</param>
/// <param name="Diagnosis">What the history says about the run (underfitting, overfitting, a growing loss).</param>
/// <param name="ValidationMetric">The name of the metric in the reports: "AUC", "accuracy" or "R²".</param>
/// <param name="Converged">Whether the optimizer ended training by its own criterion (L-BFGS's tolerances).</param>
/// <param name="EnsembleSize">How many networks the network averages (1: a single one); the history, best epoch and diagnosis are the first one's.</param>
internal sealed record TrainingResult(FeedForwardNetwork Network, IReadOnlyList<EpochReport> History, int BestEpoch, TrainingDiagnosis Diagnosis,
    string ValidationMetric, bool Converged = false, int EnsembleSize = 1)
{
    /// <summary>How cross-validation chose the recipe, when it did (<see cref="TrainingSettings.ChoosesRecipe"/>).</summary>
    public RecipeSelection? Selection { get; init; }
}

/// <summary>The recipes cross-validation compared, their mean loss on the left-out rows, and the one chosen.</summary>
internal sealed record RecipeSelection(IReadOnlyList<string> Names, IReadOnlyList<double> Losses, int Chosen, int Folds);
