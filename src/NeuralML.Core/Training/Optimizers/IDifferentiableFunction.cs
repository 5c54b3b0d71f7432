namespace NeuralML.Training;

/// <summary>
/// A function of float parameters together with its gradient, as a full-batch minimiser such as
/// <see cref="LbfgsMinimizer"/> sees it. The parameters are floats because the network keeps its parameters as floats;
/// the value is a double because the network's loss is summed in double, and a minimiser that compares the values of
/// neighbouring points needs more digits than the points themselves have.
/// </summary>
internal interface IDifferentiableFunction
{
    /// <summary>The number of parameters: the length of every point and every gradient.</summary>
    int Dimension { get; }

    /// <summary>
    /// Returns f(<paramref name="point"/>) and overwrites every entry of <paramref name="gradient"/> with
    /// ∇f(<paramref name="point"/>) (nothing is accumulated). Both spans have length <see cref="Dimension"/>. The same
    /// point must give the same value and gradient every time: a minimiser may keep them instead of asking again.
    /// </summary>
    double Evaluate(ReadOnlySpan<float> point, Span<float> gradient);
}
