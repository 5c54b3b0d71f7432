namespace NeuralML.Training;

/// <summary>
/// Moves the network's parameters to lower the <see cref="TrainingObjective"/>, one step on a set of rows at a time.
/// A mini-batch method (<see cref="MiniBatchOptimizer"/>) evaluates the objective once on its batch and updates; a
/// full-batch method such as L-BFGS is given every training row and evaluates the objective as often as its line
/// search needs, so it implements this interface directly.
/// </summary>
internal interface IOptimizer
{
    /// <summary>
    /// One step on <paramref name="rows"/> of the training set, at <paramref name="learningRate"/> (from the schedule).
    /// Returns Σ w·L and Σ w of the rows at the parameters the step started from.
    /// </summary>
    (double LossSum, double WeightSum) Step(TrainingObjective objective, ReadOnlySpan<int> rows, float learningRate);

    /// <summary>Whether the optimizer has reached its own stopping criterion (L-BFGS's tolerances); training then ends.</summary>
    bool Converged => false;

    /// <summary>Whether each step takes every training row (one step per epoch) rather than a mini-batch.</summary>
    bool IsFullBatch => false;
}

/// <summary>Creates the optimizer the settings name.</summary>
internal static class Optimizers
{
    public static IOptimizer Create(TrainingSettings settings, int parameterCount, int threads) => settings.Optimizer switch
    {
        OptimizerKind.Sgd => new SgdOptimizer(parameterCount, settings.Momentum, settings.UseNesterovMomentum, threads) { WeightDecay = settings.WeightDecay ?? 0f },
        // AdamW is Adam with decoupled weight decay, which every mini-batch optimizer applies the same way.
        OptimizerKind.Adam or OptimizerKind.AdamW => new AdamOptimizer(parameterCount, threads) { WeightDecay = settings.WeightDecay ?? 0f },
        OptimizerKind.RmsProp => new RmsPropOptimizer(parameterCount, threads: threads) { WeightDecay = settings.WeightDecay ?? 0f },
        OptimizerKind.Lbfgs => new LbfgsOptimizer(parameterCount),
        _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Optimizer, "Unknown optimizer."),
    };
}
