namespace NeuralML.Training;

/// <summary>
/// Full-batch L-BFGS in the epoch loop: each step is one L-BFGS iteration (a quasi-Newton direction and a strong-Wolfe
/// line search) on all the training rows, of the mean loss plus the L1/L2 penalties. The rows are always visited in
/// the same (sorted) order, so the objective is one function of the parameters, bit for bit, and the minimiser's
/// curvature memory stays valid from epoch to epoch. It ignores the learning rate and the batch size.
/// </summary>
internal sealed class LbfgsOptimizer(int parameterCount) : IOptimizer, IDifferentiableFunction
{
    private readonly LbfgsMinimizer _minimizer = new();
    private TrainingObjective? _objective;
    private int[] _rows = [];
    private double _lastLoss, _lastWeight, _totalWeight;

    /// <summary>Why the last step ended: converged (gradient or loss tolerance), the line search could not go on, or one more iteration was run.</summary>
    public LbfgsStop LastStop { get; private set; } = LbfgsStop.MaxIterations;

    /// <summary>True once the minimiser has converged or can make no more progress: the epoch loop then ends training.</summary>
    public bool Converged => LastStop is LbfgsStop.GradientTolerance or LbfgsStop.LossTolerance or LbfgsStop.LineSearchFailed;

    public int Dimension => parameterCount;

    public bool IsFullBatch => true;

    /// <summary>One L-BFGS iteration. Returns Σw·L and Σw of the rows at the parameters the iteration ended at.</summary>
    public (double LossSum, double WeightSum) Step(TrainingObjective objective, ReadOnlySpan<int> rows, float learningRate)
    {
        if (_objective is null)
        {
            _objective = objective;
            _rows = rows.ToArray();
            Array.Sort(_rows);
            _totalWeight = objective.WeightOf(_rows);
        }
        else if (!ReferenceEquals(objective, _objective) || rows.Length != _rows.Length)
        {
            throw new InvalidOperationException("An L-BFGS optimizer minimises one objective over one set of rows.");
        }
        LastStop = _minimizer.Minimize(this, objective.Parameters, maxIterations: 1).Stop;
        return (_lastLoss, _lastWeight);
    }

    /// <summary>f(point) = mean loss + penalties, and its gradient, over all the rows.</summary>
    public double Evaluate(ReadOnlySpan<float> point, Span<float> gradient)
    {
        TrainingObjective objective = _objective!;
        point.CopyTo(objective.Parameters);
        (_lastLoss, _lastWeight) = objective.EvaluateAll(_rows, _totalWeight);
        objective.Gradient.CopyTo(gradient);
        return (_lastWeight > 0 ? _lastLoss / _lastWeight : 0) + objective.PenaltyValue();
    }
}
