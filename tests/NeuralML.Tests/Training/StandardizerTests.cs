using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Training;
using Xunit.Abstractions;

namespace NeuralML.Tests.Training;

/// <summary>
/// <see cref="Standardizer"/>: the per-column feature statistics and the weighted target statistics (against the
/// same statistics computed here in double, two-pass), which losses standardise their targets, standardising an owned
/// training set in place, and folding the transforms into the first and last layers of a network.
/// <para>
/// Tolerances: the standardizer keeps its mean and std as floats and standardises in float, so a standardised value
/// z = (x − mean)/std carries the rounding of the shift (½ ulp of the mean), of the subtraction and of the division
/// (½ ulp of the result each) and of the scale (½ ulp, relative): about 2⁻²⁴·((|x| + |mean|)/std + 2|z|). The checks
/// allow four times that. A wrong statistic (say the sample std, N − 1, instead of the population std) moves z by
/// about 1/(2N) relative, 2e-4 at N = 2,500: fifty to a few hundred times the allowance on the first two columns
/// (the column of mean 1000 and std 0.14 can only be checked to its float precision, about 3e-3).
/// </para>
/// </summary>
public class StandardizerTests(ITestOutputHelper output)
{
    private const double FloatUlp = 1.0 / (1 << 24);

    /// <summary>
    /// Four columns of different scales and offsets over more rows than one chunk (1,024) of the fit: N(3, 2²),
    /// N(−50, 10²), the constant 7.25, and 1000 + U(0, <paramref name="spread"/>) (by default a large mean with a
    /// small spread, like a timestamp, whose std is lost by a one-pass Σx² − N·mean² in float).
    /// </summary>
    private static float[] Features(int rows, int seed, double spread = 0.5)
    {
        var random = new Xoshiro256StarStar(seed);
        var features = new float[rows * 4];
        for (int r = 0; r < rows; r++)
        {
            features[r * 4 + 0] = (float)(3 + 2 * random.NextGaussian());
            features[r * 4 + 1] = (float)(-50 + 10 * random.NextGaussian());
            features[r * 4 + 2] = 7.25f; // constant
            features[r * 4 + 3] = (float)(1000 + spread * random.NextDouble());
        }
        return features;
    }

    /// <summary>Per-column mean and population standard deviation in double, two-pass.</summary>
    private static (double[] Mean, double[] Std) ColumnStatistics(float[] features, int width)
    {
        int rows = features.Length / width;
        var mean = new double[width];
        var std = new double[width];
        for (int j = 0; j < width; j++)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += features[r * width + j];
            mean[j] = sum / rows;
            double squares = 0;
            for (int r = 0; r < rows; r++) squares += (features[r * width + j] - mean[j]) * (features[r * width + j] - mean[j]);
            std[j] = Math.Sqrt(squares / rows);
        }
        return (mean, std);
    }

    /// <summary>Weighted mean and standard deviation in double, two-pass: Σw·y/Σw and √(Σw·(y − mean)²/Σw).</summary>
    private static (double Mean, double Std) WeightedStatistics(float[] values, float[]? weights)
    {
        double weightSum = 0, sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double w = weights?[i] ?? 1;
            weightSum += w;
            sum += w * values[i];
        }
        double mean = sum / weightSum, squares = 0;
        for (int i = 0; i < values.Length; i++) squares += (weights?[i] ?? 1) * (values[i] - mean) * (values[i] - mean);
        return (mean, Math.Sqrt(squares / weightSum));
    }

    private static void AssertStandardised(double x, double mean, double std, float actual, string what)
    {
        double expected = (x - mean) / std;
        double tolerance = 4 * FloatUlp * ((Math.Abs(x) + Math.Abs(mean)) / std + 2 * Math.Abs(expected)) + 1e-30;
        Assert.True(Math.Abs(actual - expected) <= tolerance,
            $"{what}: standardised {x:R} to {actual:R}, expected ({x:R} − {mean:R})/{std:R} = {expected:R} (tolerance {tolerance:E2}).");
    }

    private static TrainingSettings Settings(LossKind loss, bool features = true, bool targets = true)
        => new() { Loss = loss, StandardizeFeatures = features, StandardizeTargets = targets };

    [Fact]
    public void FeatureStatisticsStandardiseEveryColumnOfABatch()
    {
        const int rows = 2500;
        float[] features = Features(rows, seed: 1);
        var set = new InMemoryTrainingSet(features, new float[rows], null, 4);
        (double[] mean, double[] std) = ColumnStatistics(features, 4);

        Standardizer standardizer = Standardizer.Fit(set, Settings(LossKind.BinaryCrossEntropy));

        Assert.True(standardizer.StandardizesFeatures);
        // A batch of rows taken from all over the set, in no particular order; the constant column is checked below.
        int[] batch = [2499, 0, 1024, 1023, 17, 1800];
        float[] values = batch.SelectMany(r => features[(r * 4)..((r + 1) * 4)]).ToArray();
        standardizer.ApplyToFeatures(values);
        for (int i = 0; i < batch.Length; i++)
            foreach (int j in new[] { 0, 1, 3 })
                AssertStandardised(features[batch[i] * 4 + j], mean[j], std[j], values[i * 4 + j], $"row {batch[i]}, column {j}");
    }

    /// <summary>A constant column has std 0: its scale is 1, so it is only shifted (to 0 on the data, by 2 for a value 2 above it).</summary>
    [Fact]
    public void ConstantColumnGetsScaleOne()
    {
        const int rows = 1500;
        float[] features = Features(rows, seed: 2);
        var set = new InMemoryTrainingSet(features, new float[rows], null, 4);
        Standardizer standardizer = Standardizer.Fit(set, Settings(LossKind.BinaryCrossEntropy));

        float[] values = [3f, -50f, 7.25f, 1000f, 3f, -50f, 9.25f, 1000f, 3f, -50f, 6.75f, 1000f];
        standardizer.ApplyToFeatures(values);

        Assert.Equal(0f, values[2]);
        Assert.Equal(2f, values[6]);
        Assert.Equal(-0.5f, values[10]);
    }

    [Fact]
    public void FeaturesAreLeftAloneWhenNotStandardised()
    {
        float[] features = Features(40, seed: 3);
        var set = new InMemoryTrainingSet(features, new float[40], null, 4);
        Standardizer standardizer = Standardizer.Fit(set, Settings(LossKind.SquaredError, features: false));

        float[] values = features[..8];
        standardizer.ApplyToFeatures(values);

        Assert.False(standardizer.StandardizesFeatures);
        Assert.Equal(features[..8], values);
    }

    /// <summary>Every loss (by name: the enum is internal), each with the switch on and off, and whether the targets should then move.</summary>
    public static TheoryData<string, bool, bool> LossesAndTargetSwitch()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (LossKind loss in Enum.GetValues<LossKind>())
            foreach (bool standardizeTargets in new[] { true, false })
                data.Add(loss.ToString(), standardizeTargets, standardizeTargets && loss is LossKind.SquaredError or LossKind.AbsoluteError or LossKind.Huber);
        return data;
    }

    /// <summary>
    /// Targets are standardised for the three regression losses when <see cref="TrainingSettings.StandardizeTargets"/>
    /// is on, and otherwise left exactly as they are (class indices and probabilities must not move). The targets here
    /// are regression-like numbers for every loss; the standardizer decides by the loss alone.
    /// </summary>
    [Theory]
    [MemberData(nameof(LossesAndTargetSwitch))]
    public void TargetsAreStandardisedOnlyForRegressionWhenAskedTo(string lossName, bool standardizeTargets, bool expectStandardised)
    {
        LossKind loss = Enum.Parse<LossKind>(lossName);
        const int rows = 1200;
        var random = new Xoshiro256StarStar(4);
        var targets = new float[rows];
        for (int i = 0; i < rows; i++) targets[i] = (float)(40 + 12 * random.NextGaussian());
        var set = new InMemoryTrainingSet(new float[rows], targets, null, 1);
        (double mean, double std) = WeightedStatistics(targets, null);

        Standardizer standardizer = Standardizer.Fit(set, Settings(loss, targets: standardizeTargets));
        float[] values = [targets[0], targets[1], targets[rows - 1], 40f, 0f];
        float[] original = (float[])values.Clone();
        standardizer.ApplyToTargets(values);

        if (!expectStandardised)
        {
            Assert.Equal(original, values);
            return;
        }
        for (int i = 0; i < values.Length; i++) AssertStandardised(original[i], mean, std, values[i], $"target {i}");
    }

    /// <summary>
    /// With weights, the target statistics are the weighted ones, Σw·y/Σw and √(Σw·(y − mean)²/Σw). The weights are
    /// larger on the high targets, so that the weighted mean is about a std away from the unweighted one.
    /// </summary>
    [Fact]
    public void TargetStatisticsAreWeighted()
    {
        const int rows = 2100;
        var random = new Xoshiro256StarStar(5);
        var targets = new float[rows];
        var weights = new float[rows];
        for (int i = 0; i < rows; i++)
        {
            targets[i] = (float)(-20 + 5 * random.NextGaussian());
            weights[i] = targets[i] > -20 ? (float)(2 + 3 * random.NextDouble()) : (float)(0.1 * random.NextDouble());
        }
        weights[7] = 0f; // a row of weight 0 counts for nothing
        var set = new InMemoryTrainingSet(new float[rows * 2], targets, weights, 2);
        (double mean, double std) = WeightedStatistics(targets, weights);
        (double plainMean, double plainStd) = WeightedStatistics(targets, null);
        Assert.True(Math.Abs(mean - plainMean) > 0.5 * plainStd, "The weights should move the mean.");

        Standardizer standardizer = Standardizer.Fit(set, Settings(LossKind.Huber));
        float[] values = [targets[0], targets[7], (float)mean, -40f, 0f];
        float[] original = (float[])values.Clone();
        standardizer.ApplyToTargets(values);

        for (int i = 0; i < values.Length; i++) AssertStandardised(original[i], mean, std, values[i], $"target {i}");
    }

    /// <summary>Constant regression targets have std 0: they are shifted to 0 and not scaled.</summary>
    [Fact]
    public void ConstantTargetsGetScaleOne()
    {
        var set = new InMemoryTrainingSet(new float[10], Enumerable.Repeat(4.5f, 10).ToArray(), null, 1);
        Standardizer standardizer = Standardizer.Fit(set, Settings(LossKind.SquaredError));

        float[] values = [4.5f, 7.5f];
        standardizer.ApplyToTargets(values);

        Assert.Equal([0f, 3f], values);
    }

    [Fact]
    public void OwnedSetIsStandardisedInPlaceOnce()
    {
        const int rows = 1100;
        float[] features = Features(rows, seed: 6);
        float[] raw = (float[])features.Clone();
        float[] targets = Enumerable.Range(0, rows).Select(i => (float)i).ToArray();
        var owned = new InMemoryTrainingSet(features, targets, null, 4, trainerMayModify: true);
        (double[] mean, double[] std) = ColumnStatistics(raw, 4);
        Standardizer standardizer = Standardizer.Fit(owned, Settings(LossKind.SquaredError));

        bool batchesNeedStandardising = standardizer.StandardizeInPlaceIfOwned(owned);

        Assert.False(batchesNeedStandardising);
        for (int r = 0; r < rows; r++)
        {
            foreach (int j in new[] { 0, 1, 3 })
                AssertStandardised(raw[r * 4 + j], mean[j], std[j], features[r * 4 + j], $"row {r}, column {j}");
            Assert.Equal(0f, features[r * 4 + 2]); // the constant column, shifted to 0
        }
        // Targets are standardised batch by batch, never in place.
        Assert.Equal(Enumerable.Range(0, rows).Select(i => (float)i), targets);
    }

    /// <summary>
    /// A set large enough to be standardised by several threads, each a range of rows: every row is standardised once,
    /// to the bits a batch of that row gets, whatever the thread count.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void OwnedSetSplitAmongThreadsGivesEachRowTheBitsOfItsBatch(int threads)
    {
        const int rows = 70_001; // 280,004 values: more than one thread's minimum share
        float[] features = Features(rows, seed: 8);
        float[] raw = (float[])features.Clone();
        var owned = new InMemoryTrainingSet(features, new float[rows], null, 4, trainerMayModify: true);
        Standardizer standardizer = Standardizer.Fit(owned, Settings(LossKind.BinaryCrossEntropy));
        (double[] mean, double[] std) = ColumnStatistics(raw, 4);

        Assert.False(standardizer.StandardizeInPlaceIfOwned(owned, threads));

        float[] row = new float[4];
        for (int r = 0; r < rows; r++)
        {
            raw.AsSpan(r * 4, 4).CopyTo(row);
            standardizer.ApplyToFeatures(row);
            Assert.Equal(row, features.AsSpan(r * 4, 4).ToArray());
        }
        foreach (int r in new[] { 0, rows / 3, rows / 2, rows - 1 })
            AssertStandardised(raw[r * 4 + 1], mean[1], std[1], features[r * 4 + 1], $"row {r}, column 1");
    }

    [Fact]
    public void SetThatIsNotOwnedIsLeftAloneAndEveryBatchIsStandardised()
    {
        float[] features = Features(300, seed: 7);
        float[] raw = (float[])features.Clone();
        var borrowed = new InMemoryTrainingSet(features, new float[300], null, 4, trainerMayModify: false);
        Standardizer standardizer = Standardizer.Fit(borrowed, Settings(LossKind.BinaryCrossEntropy));

        bool batchesNeedStandardising = standardizer.StandardizeInPlaceIfOwned(borrowed);

        Assert.True(batchesNeedStandardising);
        Assert.Equal(raw, features);
    }

    /// <summary>Without feature standardisation there is nothing to do, owned or not: the set is untouched and batches need nothing.</summary>
    [Fact]
    public void NothingIsStandardisedInPlaceWhenFeaturesAreNotStandardised()
    {
        float[] features = Features(300, seed: 8);
        float[] raw = (float[])features.Clone();
        var owned = new InMemoryTrainingSet(features, new float[300], null, 4, trainerMayModify: true);
        Standardizer standardizer = Standardizer.Fit(owned, Settings(LossKind.SquaredError, features: false));

        Assert.False(standardizer.StandardizeInPlaceIfOwned(owned));
        Assert.Equal(raw, features);
    }

    /// <summary>Hidden layers, loss (by name), whether features and whether targets are standardised.</summary>
    public static TheoryData<int[], string, bool, bool> FoldCases() => new()
    {
        { [6, 4], nameof(LossKind.SquaredError), true, true },
        { [5], nameof(LossKind.Huber), true, false },
        { [5], nameof(LossKind.AbsoluteError), false, true },
        { [], nameof(LossKind.SquaredError), true, true }, // the first layer is the last: both folds act on it
        { [], nameof(LossKind.SquaredError), true, false },
        { [], nameof(LossKind.SquaredError), false, true },
        { [6, 4], nameof(LossKind.BinaryCrossEntropy), true, true }, // classification: only the features are folded
    };

    /// <summary>
    /// Whatever the network learned on standardised data, folding must give a network that reads raw features and
    /// predicts raw targets: net′(x) = std_y·net((x − mean_x)/std_x) + mean_y. The fold is algebra on the first and
    /// last layers and holds for any parameters, so random ones (non-zero biases included) stand in for trained ones.
    /// The right side is computed here: features standardised in double with statistics computed here, the unfolded
    /// network's logits, then std_y·z + mean_y in double.
    /// <para>
    /// Tolerance 1e-4 relative to the prediction (to max(|prediction|, 1) when the targets are not standardised and
    /// the prediction is the network's own output, of order 1). The standardised targets have mean 100 and std 15,
    /// so those predictions stay far from 0 and 1e-4 relative is about 1e-3 in the network's units. The fold trades a
    /// division by std_x for a cancellation in the bias: with |mean_x|/std_x up to about 175 (column 3 here is
    /// 1000 + U(0, 20), std 5.8) a first-layer pre-activation loses about 175·2⁻²⁴ ≈ 1e-5 relative to the size of
    /// its terms. The worst error seen is a fifth of the tolerance. A missing shift, a scale applied the wrong way or
    /// a fold into the wrong layer is off by whole units.
    /// </para>
    /// </summary>
    [Theory]
    [MemberData(nameof(FoldCases))]
    public void FoldedNetworkReadsRawFeaturesAndPredictsRawTargets(int[] hidden, string lossName, bool standardizeFeatures, bool standardizeTargets)
    {
        LossKind loss = Enum.Parse<LossKind>(lossName);
        const int rows = 1300;
        bool regression = loss is LossKind.SquaredError or LossKind.AbsoluteError or LossKind.Huber;
        float[] features = Features(rows, seed: 9, spread: 20);
        var random = new Xoshiro256StarStar(10);
        var targets = new float[rows];
        for (int i = 0; i < rows; i++) targets[i] = regression ? (float)(100 + 15 * random.NextGaussian()) : random.NextInt(2);
        var set = new InMemoryTrainingSet(features, targets, null, 4);
        Standardizer standardizer = Standardizer.Fit(set, Settings(loss, standardizeFeatures, standardizeTargets));

        var network = new FeedForwardNetwork(4, hidden, Activation.Tanh, outputs: 1);
        network.Initialize(new Xoshiro256StarStar(11));
        for (int l = 0; l < network.Layers.Count; l++)
            foreach (ref float b in network.Biases(l)) b = (float)(random.NextDouble() - 0.5);

        // The unfolded network on features standardised here.
        (double[] mean, double[] std) = ColumnStatistics(features, 4);
        var standardised = new float[features.Length];
        for (int i = 0; i < features.Length; i++)
        {
            int j = i % 4;
            standardised[i] = standardizeFeatures ? (float)((features[i] - mean[j]) / (std[j] > 0 ? std[j] : 1)) : features[i];
        }
        float[] unfolded = Logits(network, standardised, rows);
        (double targetMean, double targetStd) = regression && standardizeTargets ? WeightedStatistics(targets, null) : (0, 1);

        standardizer.FoldInto(network);
        float[] folded = Logits(network, features, rows);

        double worst = 0;
        for (int r = 0; r < rows; r++)
        {
            double expected = targetStd * unfolded[r] + targetMean;
            double tolerance = 1e-4 * Math.Max(Math.Abs(expected), regression && standardizeTargets ? 0 : 1);
            worst = Math.Max(worst, Math.Abs(folded[r] - expected) / tolerance);
            Assert.True(Math.Abs(folded[r] - expected) <= tolerance,
                $"row {r}: folded network {folded[r]:R}, unfolded network rescaled {expected:R} (tolerance {tolerance:E2}).");
        }
        output.WriteLine($"worst error / tolerance: {worst:F3}");
    }

    private static float[] Logits(FeedForwardNetwork network, float[] features, int rows)
        => network.Forward(features, rows, new NetworkWorkspace(network, rows), DenseKernels.Create(1)).ToArray();
}
