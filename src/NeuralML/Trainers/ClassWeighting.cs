using NeuralML.Training;

namespace NeuralML;

/// <summary>Turns <see cref="ClassWeights"/> into per-row weights: the example weight times its class's weight.</summary>
internal static class ClassWeighting
{
    /// <summary>The weight of each class index, or null when every class weighs 1.</summary>
    /// <param name="weights">What the options ask for.</param>
    /// <param name="data">The training rows; targets are class indices.</param>
    /// <param name="classNames">The name of each class index, for explicit weights (null when the label has no key values).</param>
    /// <param name="classCount">The number of classes.</param>
    /// <param name="nameComparer">How explicit weights' names match <paramref name="classNames"/>.</param>
    /// <param name="labelColumn">The label column's name, for messages.</param>
    /// <exception cref="ArgumentException">An explicit weight names a class the label does not have.</exception>
    public static float[]? PerClass(ClassWeights weights, InMemoryTrainingSet data, IReadOnlyList<string>? classNames, int classCount,
        StringComparer nameComparer, string labelColumn)
    {
        if (weights.IsBalanced)
        {
            var totals = new double[classCount];
            ReadOnlySpan<float> targets = data.Targets, rowWeights = data.Weights;
            for (int i = 0; i < data.RowCount; i++) totals[(int)targets[i]] += rowWeights.IsEmpty ? 1 : rowWeights[i];
            double all = totals.Sum();
            int present = totals.Count(t => t > 0);
            return totals.Select(t => t > 0 ? (float)(all / (present * t)) : 1f).ToArray();
        }
        if (weights.Weights is not { } named) return null;
        if (classNames is null)
            throw new ArgumentException($"Label column '{labelColumn}' has no class names (key values) to match the explicit class weights; use ClassWeights.Balanced or map the label with MapValueToKey.");
        var perClass = Enumerable.Repeat(1f, classCount).ToArray();
        foreach ((string name, float weight) in named)
        {
            int index = classNames.Select((n, i) => (n, i)).FirstOrDefault(c => nameComparer.Equals(c.n, name), (n: "", i: -1)).i;
            if (index < 0)
                throw new ArgumentException($"ClassWeights names class '{name}', which label column '{labelColumn}' does not have. Its classes: {string.Join(", ", classNames.Select(c => $"'{c}'"))}.", nameof(weights));
            perClass[index] = weight;
        }
        return perClass;
    }

    /// <summary>The same rows weighted by example weight × class weight.</summary>
    /// <exception cref="InvalidOperationException">Every row's weight would be 0.</exception>
    public static InMemoryTrainingSet Apply(InMemoryTrainingSet data, float[] perClass, string labelColumn)
    {
        var combined = new float[data.RowCount];
        ReadOnlySpan<float> targets = data.Targets, rowWeights = data.Weights;
        double total = 0;
        for (int i = 0; i < combined.Length; i++)
        {
            combined[i] = (rowWeights.IsEmpty ? 1f : rowWeights[i]) * perClass[(int)targets[i]];
            total += combined[i];
        }
        if (!(total > 0))
            throw new InvalidOperationException($"The class weights leave every training row with weight 0; give a class of label column '{labelColumn}' a positive weight.");
        return data.WithWeights(combined);
    }
}
