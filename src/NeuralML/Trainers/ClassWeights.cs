namespace NeuralML;

/// <summary>
/// How a classification trainer weighs each class in the loss, on top of the example weights (the two multiply):
/// <see cref="None"/>, <see cref="Balanced"/> (scikit-learn's <c>class_weight="balanced"</c>) or explicit weights per
/// class name (<see cref="Explicit"/>, Keras' <c>class_weight</c>). The validation loss and metrics are not weighted by
/// class. Use it when one class is rare and its errors matter more than its share of the rows.
/// </summary>
public sealed class ClassWeights
{
    private ClassWeights(bool balanced, IReadOnlyDictionary<string, float>? weights)
    {
        IsBalanced = balanced;
        Weights = weights;
    }

    /// <summary>Every class weighs 1. The default.</summary>
    public static ClassWeights None { get; } = new(false, null);

    /// <summary>
    /// Class c weighs n / (K·n_c), where n_c is the total example weight of class c, n that of all rows and K the
    /// number of classes present: every class then carries the same total weight.
    /// </summary>
    public static ClassWeights Balanced { get; } = new(true, null);

    /// <summary>
    /// The given weight for each named class, 1 for the others. Binary classes are named <c>"false"</c> and
    /// <c>"true"</c> (any case); multiclass classes by the label's key values as text (the values
    /// <c>MapValueToKey</c> mapped, e.g. <c>"setosa"</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A weight is negative or not finite.</exception>
    public static ClassWeights Explicit(IReadOnlyDictionary<string, float> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        foreach ((string name, float weight) in weights)
            if (!(weight >= 0f) || !float.IsFinite(weight))
                throw new ArgumentOutOfRangeException(nameof(weights), weight, $"The weight of class '{name}' must be a non-negative finite number.");
        return new ClassWeights(false, new Dictionary<string, float>(weights));
    }

    internal bool IsBalanced { get; }

    internal IReadOnlyDictionary<string, float>? Weights { get; }

    /// <summary>"None", "Balanced" or the explicit weights, for logs.</summary>
    public override string ToString()
        => IsBalanced ? "Balanced" : Weights is null ? "None" : string.Join(", ", Weights.Select(w => $"{w.Key}: {w.Value}"));
}
