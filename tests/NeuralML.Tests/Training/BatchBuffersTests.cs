using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// <see cref="BatchBuffers.Load"/>: the chosen rows are copied in the order given (features, targets, weights), the
/// batch's weight is the row count without weights and the weight sum with them, the features are standardised only
/// when asked, and a batch larger than the buffers is refused.
/// </summary>
public class BatchBuffersTests
{
    private const int Rows = 6, FeatureCount = 3, TargetWidth = 2;

    /// <summary>Row r has features (10r, 10r + 1, 10r + 2), targets (−r, 0.5r) and weight 0.25·(r + 1): every value tells its row.</summary>
    private static InMemoryTrainingSet Set(bool weighted)
    {
        var features = new float[Rows * FeatureCount];
        var targets = new float[Rows * TargetWidth];
        var weights = new float[Rows];
        for (int r = 0; r < Rows; r++)
        {
            for (int j = 0; j < FeatureCount; j++) features[r * FeatureCount + j] = 10 * r + j;
            targets[r * TargetWidth] = -r;
            targets[r * TargetWidth + 1] = 0.5f * r;
            weights[r] = 0.25f * (r + 1);
        }
        return new InMemoryTrainingSet(features, targets, weighted ? weights : null, FeatureCount, TargetWidth);
    }

    /// <summary>Standardises nothing: a classification loss, so targets are never touched, and features off.</summary>
    private static Standardizer Identity(ITrainingSet set)
        => Standardizer.Fit(set, new TrainingSettings { Loss = LossKind.CategoricalCrossEntropy, StandardizeFeatures = false });

    [Fact]
    public void LoadCopiesTheChosenRowsInOrderAndReturnsTheRowCount()
    {
        InMemoryTrainingSet set = Set(weighted: false);
        var buffers = new BatchBuffers(capacity: 4, FeatureCount, TargetWidth, outputs: 2, weighted: false);
        int[] rows = [4, 1, 5];

        double weight = buffers.Load(set, rows, Identity(set), standardizeFeatures: true);

        Assert.Equal(3.0, weight);
        Assert.Equal([40f, 41f, 42f, 10f, 11f, 12f, 50f, 51f, 52f], buffers.Features[..9]);
        Assert.Equal([-4f, 2f, -1f, 0.5f, -5f, 2.5f], buffers.Targets[..6]);
        Assert.True(buffers.WeightsOf(set, rows.Length).IsEmpty);
    }

    /// <summary>With weights the batch weighs Σw of its rows: 1.25 + 0.5 + 1.5 (exact in float and double).</summary>
    [Fact]
    public void LoadCopiesTheWeightsAndReturnsTheirSum()
    {
        InMemoryTrainingSet set = Set(weighted: true);
        var buffers = new BatchBuffers(capacity: 4, FeatureCount, TargetWidth, outputs: 2, weighted: true);
        int[] rows = [4, 1, 5];

        double weight = buffers.Load(set, rows, Identity(set), standardizeFeatures: true);

        Assert.Equal(3.25, weight);
        Assert.Equal([1.25f, 0.5f, 1.5f], buffers.WeightsOf(set, rows.Length).ToArray());
        Assert.Equal([40f, 41f, 42f, 10f, 11f, 12f, 50f, 51f, 52f], buffers.Features[..9]);
    }

    /// <summary>A later, smaller batch overwrites the start of the buffers; the weight is that batch's alone.</summary>
    [Fact]
    public void EachLoadReplacesThePreviousBatch()
    {
        InMemoryTrainingSet set = Set(weighted: true);
        var buffers = new BatchBuffers(capacity: 4, FeatureCount, TargetWidth, outputs: 2, weighted: true);
        buffers.Load(set, [0, 1, 2, 3], Identity(set), standardizeFeatures: true);

        double weight = buffers.Load(set, [2], Identity(set), standardizeFeatures: true);

        Assert.Equal(0.75, weight);
        Assert.Equal([20f, 21f, 22f], buffers.Features[..3]);
        Assert.Equal([-2f, 1f], buffers.Targets[..2]);
        Assert.Equal([0.75f], buffers.WeightsOf(set, 1).ToArray());
    }

    /// <summary>
    /// A regression set: the targets are standardised on every load, the features only when the caller says the set
    /// was not standardised in place. Targets 0..5 have mean 2.5 and population std √(35/12); every value compared
    /// is within a float rounding or two of the formula, so 1e-6 absolute on values of order 1 is ample.
    /// </summary>
    [Fact]
    public void LoadStandardisesTargetsAlwaysAndFeaturesWhenAsked()
    {
        var set = new InMemoryTrainingSet([0f, 1f, 2f, 3f, 4f, 5f], [0f, 1f, 2f, 3f, 4f, 5f], null, featureCount: 1);
        Standardizer standardizer = Standardizer.Fit(set, new TrainingSettings { Loss = LossKind.SquaredError });
        var buffers = new BatchBuffers(capacity: 2, featureCount: 1, targetWidth: 1, outputs: 1, weighted: false);
        double std = Math.Sqrt(35.0 / 12);

        buffers.Load(set, [5, 0], standardizer, standardizeFeatures: false);
        Assert.Equal([5f, 0f], buffers.Features[..2]);
        Assert.Equal(2.5 / std, buffers.Targets[0], 1e-6);
        Assert.Equal(-2.5 / std, buffers.Targets[1], 1e-6);

        buffers.Load(set, [5, 0], standardizer, standardizeFeatures: true);
        Assert.Equal(2.5 / std, buffers.Features[0], 1e-6);
        Assert.Equal(-2.5 / std, buffers.Features[1], 1e-6);
    }

    [Fact]
    public void WeightsOfIsEmptyForASetWithoutWeights()
    {
        InMemoryTrainingSet unweighted = Set(weighted: false), weighted = Set(weighted: true);
        // Buffers made for weights (a weighted validation set, say) still give no weights for an unweighted set.
        var buffers = new BatchBuffers(capacity: 4, FeatureCount, TargetWidth, outputs: 2, weighted: true);

        Assert.True(buffers.WeightsOf(unweighted, 3).IsEmpty);
        Assert.Equal(3, buffers.WeightsOf(weighted, 3).Length);
    }

    [Fact]
    public void MoreRowsThanCapacityAreRefused()
    {
        InMemoryTrainingSet set = Set(weighted: false);
        var buffers = new BatchBuffers(capacity: 2, FeatureCount, TargetWidth, outputs: 2, weighted: false);

        ArgumentException error = Assert.Throws<ArgumentException>(() => buffers.Load(set, [0, 1, 2], Identity(set), standardizeFeatures: true));
        Assert.Equal("rows", error.ParamName);
        // Exactly the capacity is fine.
        Assert.Equal(2.0, buffers.Load(set, [0, 1], Identity(set), standardizeFeatures: true));
    }
}
