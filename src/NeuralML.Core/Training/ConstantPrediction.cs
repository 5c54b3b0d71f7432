using System.Runtime.CompilerServices;
using NeuralML.Network;

namespace NeuralML.Training;

/// <summary>
/// The loss of the best constant prediction on the training rows, as the network sees them (standardised), the yardstick
/// of "still high": the weighted class frequencies for classification, the weighted mean label for regression (the
/// absolute loss's best constant is the median; the mean is close enough for a yardstick).
/// </summary>
internal static class ConstantPrediction
{
    private const int ChunkRows = 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Loss(ITrainingSet data, LossHead head, Standardizer standardizer, int outputs)
    {
        (float[] targets, float[] weights) = TargetsAndWeights(data);
        return Loss(targets, weights, data.RowCount, head, standardizer, outputs);
    }

    /// <summary>The same from the raw targets (rows, width) and weights (rows, or empty) of the rows, which it standardises in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Loss(float[] targets, float[] weights, int rows, LossHead head, Standardizer standardizer, int outputs)
    {
        int width = head.TargetWidth(outputs);
        if (rows == 0) return 0;
        standardizer.ApplyToTargets(targets);

        var means = new double[outputs];
        double totalWeight = 0;
        for (int r = 0; r < rows; r++)
        {
            double w = weights.Length > 0 ? weights[r] : 1;
            totalWeight += w;
            if (head.Kind == LossKind.SparseCategoricalCrossEntropy) means[(int)targets[r]] += w;
            else for (int k = 0; k < width; k++) means[k] += w * targets[r * width + k];
        }
        if (!(totalWeight > 0)) return 0;
        var constant = new float[outputs];
        for (int k = 0; k < outputs; k++)
        {
            double mean = means[k] / totalWeight, p = Math.Clamp(mean, 1e-7, 1 - 1e-7);
            constant[k] = (float)(head.Output switch
            {
                OutputHead.Sigmoid => Math.Log(p / (1 - p)),
                OutputHead.Softmax => Math.Log(p),
                _ => mean,
            });
        }

        int chunk = Math.Min(ChunkRows, rows);
        var logits = new float[chunk * outputs];
        var dLogits = new float[chunk * outputs];
        for (int r = 0; r < chunk; r++) constant.CopyTo(logits, r * outputs);
        double lossSum = 0;
        for (int start = 0; start < rows; start += chunk)
        {
            int count = Math.Min(chunk, rows - start);
            lossSum += head.LossAndGradient(logits, targets.AsSpan(start * width, count * width), weights.Length > 0 ? weights.AsSpan(start, count) : [],
                dLogits, count, outputs, 1f);
        }
        return lossSum / totalWeight;
    }

    /// <summary>A copy of the targets (rows, width) and the weights (rows, or empty), straight from memory when the set is there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (float[] Targets, float[] Weights) TargetsAndWeights(ITrainingSet data)
    {
        if (data is InMemoryTrainingSet memory) return (memory.Targets.ToArray(), memory.Weights.ToArray());
        int chunk = Math.Min(ChunkRows, data.RowCount);
        var targets = new float[data.RowCount * data.TargetWidth];
        var weights = new float[data.HasWeights ? data.RowCount : 0];
        var rows = new int[chunk];
        var features = new float[chunk * data.FeatureCount];
        for (int start = 0; start < data.RowCount; start += chunk)
        {
            int count = Math.Min(chunk, data.RowCount - start);
            for (int i = 0; i < count; i++) rows[i] = start + i;
            data.CopyRows(rows.AsSpan(0, count), features, targets.AsSpan(start * data.TargetWidth), data.HasWeights ? weights.AsSpan(start, count) : []);
        }
        return (targets, weights);
    }
}
