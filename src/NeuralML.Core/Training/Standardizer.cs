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
        if (settings.StandardizeFeatures && data is InMemoryTrainingSet { Sparse: { } sparse })
        {
            // Sparse features are scaled without centring (zeros stay zero); the targets as for dense rows.
            var targets = new Statistics(data.FeatureCount, data.TargetWidth, settings with { StandardizeFeatures = false });
            ForEachChunk(data, withFeatures: false, targets.AddFirstPass);
            Standardizer targetsOnly = targets.Finish();
            (float[] shift, float[] scale) = SparseFeatureStatistics(sparse);
            return new Standardizer(shift, scale, targetsOnly._targetShift, targetsOnly._targetScale);
        }
        var statistics = new Statistics(data.FeatureCount, data.TargetWidth, settings);
        if (settings.StandardizeFeatures && data is InMemoryTrainingSet { Sparse: null } dense)
        {
            // Dense rows in memory are read where they lie rather than copied a chunk at a time; the sums are those of
            // the chunked passes, bit for bit. (Splitting the columns among threads made each pass slower: half rows
            // defeat the prefetcher. Splitting the rows would change the order of the sums.)
            ForEachChunk(data, withFeatures: false, statistics.AddFirstPass);
            statistics.AddFeatureSums(dense.DenseFeatures);
            statistics.EndFirstPass();
            statistics.AddFeatureSquares(dense.DenseFeatures);
            return statistics.Finish();
        }
        ForEachChunk(data, withFeatures: settings.StandardizeFeatures, statistics.AddFirstPass);
        if (statistics.NeedsSecondPass)
        {
            statistics.EndFirstPass();
            ForEachChunk(data, withFeatures: true, (features, _, _, count) => statistics.AddSecondPass(features, count));
        }
        return statistics.Finish();
    }

    public bool StandardizesFeatures => _featureShift is not null;

    private bool StandardizesTargets => _targetScale != 1f || _targetShift != 0f;

    /// <summary>
    /// Standardises the features of <paramref name="set"/> once, in place, when they are the trainer's own copy.
    /// Returns whether each batch read from the set still needs <see cref="ApplyToFeatures"/>.
    /// </summary>
    /// <param name="set">The set.</param>
    /// <param name="threads">Threads that share the rows of a dense set.</param>
    public bool StandardizeInPlaceIfOwned(ITrainingSet set, int threads = 1)
    {
        if (!StandardizesFeatures) return false;
        if (set is not InMemoryTrainingSet { TrainerMayModify: true } owned) return true;
        if (owned.Sparse is { } sparse)
        {
            ApplyToSparse(sparse.Values, sparse.Indices);
            return false;
        }
        float[] features = owned.DenseFeatures;
        int width = owned.FeatureCount, rows = owned.RowCount;
        int parts = (int)Math.Clamp((long)rows * width / MinValuesPerThread, 1, Math.Max(threads, 1));
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            long first = (long)rows * part / parts, end = (long)rows * (part + 1) / parts;
            ApplyToFeatures(features.AsSpan((int)(first * width), (int)((end - first) * width)));
        });
        return false;
    }

    /// <summary>Below this many values per thread a pass over the features is not worth splitting.</summary>
    private const long MinValuesPerThread = 1 << 18;

    /// <summary>x ← (x − shift)/scale for every row of <paramref name="features"/> (rows, features).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void ApplyToFeatures(Span<float> features)
    {
        if (_featureShift is null || _featureScale is null) return;
        int width = _featureShift.Length;
        ReadOnlySpan<float> shift = _featureShift, scale = _featureScale;
        // One pass per row, a vector at a time (the same subtraction and division per value as a scalar loop).
        for (int start = 0; start < features.Length; start += width)
        {
            Span<float> row = features.Slice(start, width);
            int j = 0;
            if (System.Numerics.Vector.IsHardwareAccelerated)
                for (int lanes = System.Numerics.Vector<float>.Count; j <= width - lanes; j += lanes)
                    ((new System.Numerics.Vector<float>(row[j..]) - new System.Numerics.Vector<float>(shift[j..])) / new System.Numerics.Vector<float>(scale[j..])).CopyTo(row[j..]);
            for (; j < width; j++) row[j] = (row[j] - shift[j]) / scale[j];
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

    /// <summary>
    /// Accumulates the statistics over the rows in storage order, in at most two passes (the same sums whether the rows
    /// come from memory or from a stream): targets' weighted mean and standard deviation (std 1 when the targets are
    /// constant) and the features' sums in the first pass; the features' squared deviations from their mean in the
    /// second, so that a feature with a large mean and a small spread (a timestamp, say) keeps its precision (std 1
    /// for a constant feature).
    /// </summary>
    internal sealed class Statistics(int width, int targetWidth, TrainingSettings settings)
    {
        private readonly bool _features = settings.StandardizeFeatures;
        private readonly bool _targets = settings.StandardizeTargets && settings.Loss is LossKind.SquaredError or LossKind.AbsoluteError or LossKind.Huber;
        private readonly double[] _sum = new double[settings.StandardizeFeatures ? width : 0];
        private readonly double[] _squares = new double[settings.StandardizeFeatures ? width : 0];
        private double[] _mean = [];
        private double _targetSum, _targetSquares, _weightSum;
        private long _rows;

        /// <summary>Whether <see cref="AddSecondPass"/> must see every row again (after <see cref="EndFirstPass"/>).</summary>
        public bool NeedsSecondPass => _features;

        /// <summary>The rows the first pass saw.</summary>
        public long Rows => _rows;

        /// <param name="features">(count, width)</param>
        /// <param name="targets">(count, targetWidth)</param>
        /// <param name="weights">(count), or empty for weight 1</param>
        /// <param name="count">rows in this chunk</param>
        public void AddFirstPass(ReadOnlySpan<float> features, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int count)
        {
            _rows += count;
            if (_targets)
            {
                for (int i = 0; i < count; i++)
                {
                    double w = weights.IsEmpty ? 1 : weights[i], y = targets[i * targetWidth];
                    _targetSum += w * y;
                    _targetSquares += w * y * y;
                    _weightSum += w;
                }
            }
            // No features given: the caller sums them itself (AddFeatureSums, for dense rows in memory).
            if (_features && !features.IsEmpty)
                for (int i = 0; i < count; i++) AddRow(_sum, features.Slice(i * width, width), default);
        }

        /// <summary>The first pass's feature sums over all the rows of <paramref name="features"/> (rows, width), read in place.</summary>
        public void AddFeatureSums(float[] features) => AddRows(_sum, features, width, []);

        /// <summary>The second pass over all the rows of <paramref name="features"/> (rows, width), read in place.</summary>
        public void AddFeatureSquares(float[] features) => AddRows(_squares, features, width, _mean);

        public void EndFirstPass()
        {
            _mean = new double[_sum.Length];
            for (int j = 0; j < _sum.Length; j++) _mean[j] = _sum[j] / _rows;
        }

        public void AddSecondPass(ReadOnlySpan<float> features, int count)
        {
            for (int i = 0; i < count; i++) AddRow(_squares, features.Slice(i * width, width), _mean);
        }

        public Standardizer Finish()
        {
            (float targetShift, float targetScale) = (0f, 1f);
            if (_targets && _weightSum > 0)
            {
                double mean = _targetSum / _weightSum;
                double std = Math.Sqrt(Math.Max(0, _targetSquares / _weightSum - mean * mean));
                (targetShift, targetScale) = ((float)mean, std > 1e-12 * Math.Max(1, Math.Abs(mean)) ? (float)std : 1f);
            }
            if (!_features) return new Standardizer(null, null, targetShift, targetScale);
            var shift = new float[width];
            var scale = new float[width];
            for (int j = 0; j < width; j++)
            {
                double sd = Math.Sqrt(_squares[j] / _rows);
                shift[j] = (float)_mean[j];
                scale[j] = sd > 1e-6 * Math.Max(1, Math.Abs(_mean[j])) ? (float)sd : 1f;
            }
            return new Standardizer(shift, scale, targetShift, targetScale);
        }

        /// <summary>Every row of <paramref name="features"/> (rows, width) into <paramref name="sums"/>, in order.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private static void AddRows(Span<double> sums, float[] features, int width, ReadOnlySpan<double> mean)
        {
            for (int start = 0; start + width <= features.Length; start += width) AddRow(sums, features.AsSpan(start, width), mean);
        }

        /// <summary>
        /// sums[j] += x[j] (no mean given) or (x[j] − mean[j])², in double, a vector of columns at a time: each column's
        /// sum still adds its rows in order, so the result is the scalar loop's, bit for bit.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private static void AddRow(Span<double> sums, ReadOnlySpan<float> row, ReadOnlySpan<double> mean)
        {
            int j = 0;
            if (System.Numerics.Vector.IsHardwareAccelerated)
            {
                int lanes = System.Numerics.Vector<float>.Count, half = System.Numerics.Vector<double>.Count;
                for (; j <= row.Length - lanes; j += lanes)
                {
                    System.Numerics.Vector.Widen(new System.Numerics.Vector<float>(row[j..]), out var low, out var high);
                    if (!mean.IsEmpty)
                    {
                        low -= new System.Numerics.Vector<double>(mean[j..]);
                        high -= new System.Numerics.Vector<double>(mean[(j + half)..]);
                        low *= low;
                        high *= high;
                    }
                    (new System.Numerics.Vector<double>(sums[j..]) + low).CopyTo(sums[j..]);
                    (new System.Numerics.Vector<double>(sums[(j + half)..]) + high).CopyTo(sums[(j + half)..]);
                }
            }
            for (; j < row.Length; j++)
            {
                double x = row[j];
                if (mean.IsEmpty) sums[j] += x;
                else
                {
                    double d = x - mean[j];
                    sums[j] += d * d;
                }
            }
        }
    }

    /// <summary>Visits every row in order, <see cref="ChunkRows"/> at a time: (features, or none, targets, weights, rows in the chunk).</summary>
    private static void ForEachChunk(ITrainingSet data, bool withFeatures, RowChunkVisitor visit)
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
            visit(features, targets, data.HasWeights ? weights : [], count);
        }
    }
}

/// <summary>Visits a chunk of rows: (count, features) features, (count, target width) targets, (count) weights or empty for weight 1.</summary>
internal delegate void RowChunkVisitor(ReadOnlySpan<float> features, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int count);
