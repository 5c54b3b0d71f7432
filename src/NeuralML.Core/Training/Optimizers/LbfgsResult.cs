namespace NeuralML.Training;

/// <summary>Why <see cref="LbfgsMinimizer.Minimize"/> returned.</summary>
internal enum LbfgsStop
{
    /// <summary>The gradient's largest absolute entry is at most the gradient tolerance.</summary>
    GradientTolerance,

    /// <summary>The last step lowered f by at most the loss tolerance times max(|f_k|, |f_k+1|, 1).</summary>
    LossTolerance,

    /// <summary>The call made the iterations it was allowed; the next call can resume.</summary>
    MaxIterations,

    /// <summary>
    /// No step along the L-BFGS direction nor along −g met the strong Wolfe conditions within the line search's
    /// evaluations (usually float resolution reached, or a function that is not smooth), or the start's value or
    /// gradient is not finite. x is the lowest point evaluated.
    /// </summary>
    LineSearchFailed,

    /// <summary>shouldStop returned true before an evaluation. x is the lowest point evaluated.</summary>
    Cancelled,
}

/// <summary>
/// What one <see cref="LbfgsMinimizer.Minimize"/> call did and where it ended: the reason it stopped, the iterations
/// (line searches that ended on a strong-Wolfe step) and evaluations of f in this call, and f and ‖∇f‖∞ at the point
/// returned (NaN when the call was cancelled before its start was ever evaluated).
/// </summary>
internal readonly record struct LbfgsResult(LbfgsStop Stop, int Iterations, int Evaluations, double Value, double GradientNorm);
