using NeuralML.Network;

namespace NeuralML.Training;

/// <summary>
/// Standardises what the network trains on and undoes it in the trained network: features x ← (x − mean)/std per
/// column, regression targets y ← (y − mean)/std. Statistics come from all the training rows; once training ends, the
/// transforms are folded into the first and last dense layers, so the trained network reads raw features and
/// predicts in the label's units.
/// </summary>
internal sealed partial class Standardizer
{
    private const int ChunkRows = 1024;
    private readonly float[]? _featureShift, _featureScale;
    private readonly float _targetShift, _targetScale;

    private Standardizer(float[]? featureShift, float[]? featureScale, float targetShift, float targetScale)
    {
        _featureShift = featureShift;
        _featureScale = featureScale;
        _targetShift = targetShift;
        _targetScale = targetScale;
    }

    /// <summary>The statistics of <paramref name="data"/> for what <paramref name="settings"/> standardises.</summary>
    public static Standardizer Fit(ITrainingSet data, TrainingSettings settings)
    {
        bool regression = settings.Loss is LossKind.SquaredError or LossKind.AbsoluteError or LossKind.Huber;
        (float targetShift, float targetScale) = regression && settings.StandardizeTargets ? TargetStatistics(data) : (0f, 1f);
        (float[]? shift, float[]? scale) = !settings.StandardizeFeatures ? (null, null)
            : data is InMemoryTrainingSet { Sparse: { } sparse } ? SparseFeatureStatistics(sparse) : FeatureStatistics(data);
        return new Standardizer(shift, scale, targetShift, targetScale);
    }

    public bool StandardizesFeatures => _featureShift is not null;

    private bool StandardizesTargets => _targetScale != 1f || _targetShift != 0f;

    /// <summary>
    /// Standardises the features of <paramref name="set"/> once, in place, when they are the trainer's own copy.
    /// Returns whether each batch read from the set still needs <see cref="ApplyToFeatures"/>.
    /// </summary>
    public bool StandardizeInPlaceIfOwned(ITrainingSet set)
    {
        if (!StandardizesFeatures) return false;
        if (set is not InMemoryTrainingSet { TrainerMayModify: true } owned) return true;
        if (owned.Sparse is { } sparse) ApplyToSparse(sparse.Values, sparse.Indices);
        else ApplyToFeatures(owned.OwnedFeatures);
        return false;
    }

    /// <summary>x ← (x − shift)/scale for every row of <paramref name="features"/> (rows, features).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void ApplyToFeatures(Span<float> features)
    {
        if (_featureShift is null || _featureScale is null) return;
        int width = _featureShift.Length;
        for (int start = 0; start < features.Length; start += width)
        {
            Span<float> row = features.Slice(start, width);
            System.Numerics.Tensors.TensorPrimitives.Subtract(row, _featureShift, row);
            System.Numerics.Tensors.TensorPrimitives.Divide(row, _featureScale, row);
        }
    }

    /// <summary>y ← (y − shift)/scale for every target.</summary>
    public void ApplyToTargets(Span<float> targets)
    {
        if (!StandardizesTargets) return;
        foreach (ref float t in targets) t = (t - _targetShift) / _targetScale;
    }

    /// <summary>Makes a network trained on standardised data read raw features and predict raw targets.</summary>
    public void FoldInto(FeedForwardNetwork network)
    {
        // The two folds commute up to rounding when the first layer is also the last (no hidden layer); this order is
        // the one models have always been folded in, so it is kept for bit-identical models.
        if (StandardizesTargets) FoldTargetScale(network);
        if (StandardizesFeatures) FoldFeatureScale(network);
    }

    /// <summary>
    /// The inverse of <see cref="FoldInto"/>: makes a trained network that reads raw features and predicts raw targets
    /// read standardised features and predict standardised targets, so that training can continue from it with these
    /// statistics (undoing the folds in reverse order).
    /// </summary>
    public void UnfoldFrom(FeedForwardNetwork network)
    {
        if (StandardizesFeatures)
        {
            // W_s[j, o] = W[j, o]·scale[j], b_s[o] = b[o] + Σ_j W[j, o]·shift[j]: the same outputs for x_s = (x − shift)/scale.
            float[] shift = _featureShift!, scale = _featureScale!;
            DenseLayerShape first = network.Layers[0];
            Span<float> weights = network.Weights(0), biases = network.Biases(0);
            var offsets = new double[first.Outputs];
            for (int j = 0; j < first.Inputs; j++)
            {
                Span<float> row = weights.Slice(j * first.Outputs, first.Outputs);
                for (int o = 0; o < first.Outputs; o++)
                {
                    offsets[o] += (double)row[o] * shift[j];
                    row[o] *= scale[j];
                }
            }
            for (int o = 0; o < first.Outputs; o++) biases[o] = (float)(biases[o] + offsets[o]);
        }
        if (StandardizesTargets)
        {
            int last = network.Layers.Count - 1;
            foreach (ref float w in network.Weights(last)) w /= _targetScale;
            foreach (ref float b in network.Biases(last)) b = (b - _targetShift) / _targetScale;
        }
    }

    /// <summary>The network learned (y − shift)/scale; make it predict y by scaling the output layer: W ← sW, b ← sb + shift.</summary>
    private void FoldTargetScale(FeedForwardNetwork network)
    {
        int last = network.Layers.Count - 1;
        foreach (ref float w in network.Weights(last)) w *= _targetScale;
        foreach (ref float b in network.Biases(last)) b = b * _targetScale + _targetShift;
    }

    /// <summary>
    /// The network learned on (x − shift)/scale; make it read x: W'[j, o] = W[j, o]/scale[j] and
    /// b'[o] = b[o] − Σ_j W'[j, o]·shift[j].
    /// </summary>
    private void FoldFeatureScale(FeedForwardNetwork network)
    {
        float[] shift = _featureShift!, scale = _featureScale!;
        DenseLayerShape first = network.Layers[0];
        Span<float> weights = network.Weights(0), biases = network.Biases(0);
        var offsets = new double[first.Outputs];
        for (int j = 0; j < first.Inputs; j++)
        {
            Span<float> row = weights.Slice(j * first.Outputs, first.Outputs);
            for (int o = 0; o < first.Outputs; o++)
            {
                row[o] /= scale[j];
                offsets[o] += (double)row[o] * shift[j];
            }
        }
        for (int o = 0; o < first.Outputs; o++) biases[o] = (float)(biases[o] - offsets[o]);
    }

    /// <summary>The weighted mean and standard deviation of the targets (std 1 when the targets are constant).</summary>
    private static (float Mean, float Std) TargetStatistics(ITrainingSet data)
    {
        double sum = 0, sumSquares = 0, weightSum = 0;
        ForEachChunk(data, withFeatures: false, (_, targets, weights, count) =>
        {
            for (int i = 0; i < count; i++)
            {
                double w = data.HasWeights ? weights[i] : 1, y = targets[i * data.TargetWidth];
                sum += w * y;
                sumSquares += w * y * y;
                weightSum += w;
            }
        });
        if (weightSum <= 0) return (0f, 1f);
        double mean = sum / weightSum;
        double variance = Math.Max(0, sumSquares / weightSum - mean * mean);
        double std = Math.Sqrt(variance);
        return ((float)mean, std > 1e-12 * Math.Max(1, Math.Abs(mean)) ? (float)std : 1f);
    }

    /// <summary>
    /// Per-feature mean and standard deviation over all rows (std 1 for a constant feature), in two passes, so that a
    /// feature with a large mean and a small spread (a timestamp, say) keeps its precision.
    /// </summary>
    private static (float[] Mean, float[] Std) FeatureStatistics(ITrainingSet data)
    {
        int width = data.FeatureCount;
        var sum = new double[width];
        ForEachChunk(data, withFeatures: true, (features, _, _, count) =>
        {
            for (int i = 0; i < count; i++)
                for (int j = 0; j < width; j++) sum[j] += features[i * width + j];
        });
        var mean = new double[width];
        for (int j = 0; j < width; j++) mean[j] = sum[j] / data.RowCount;
        var squares = new double[width];
        ForEachChunk(data, withFeatures: true, (features, _, _, count) =>
        {
            for (int i = 0; i < count; i++)
            {
                for (int j = 0; j < width; j++)
                {
                    double d = features[i * width + j] - mean[j];
                    squares[j] += d * d;
                }
            }
        });
        var shift = new float[width];
        var scale = new float[width];
        for (int j = 0; j < width; j++)
        {
            double sd = Math.Sqrt(squares[j] / data.RowCount);
            shift[j] = (float)mean[j];
            scale[j] = sd > 1e-6 * Math.Max(1, Math.Abs(mean[j])) ? (float)sd : 1f;
        }
        return (shift, scale);
    }

    /// <summary>Visits every row in order, <see cref="ChunkRows"/> at a time: (features, or none, targets, weights, rows in the chunk).</summary>
    private static void ForEachChunk(ITrainingSet data, bool withFeatures, Action<float[], float[], float[], int> visit)
    {
        var rows = new int[ChunkRows];
        float[] features = withFeatures ? new float[ChunkRows * data.FeatureCount] : [];
        var targets = new float[ChunkRows * data.TargetWidth];
        var weights = new float[ChunkRows];
        for (int start = 0; start < data.RowCount; start += ChunkRows)
        {
            int count = Math.Min(ChunkRows, data.RowCount - start);
            for (int i = 0; i < count; i++) rows[i] = start + i;
            data.CopyRows(rows.AsSpan(0, count), features, targets, data.HasWeights ? weights : []);
            visit(features, targets, weights, count);
        }
    }
}
