using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Tests.Support;
using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>Every <see cref="LossHead"/>: its gradient against central differences of its loss, weights, and stability.</summary>
public class LossHeadTests
{
    private const int Rows = 5;

    public static TheoryData<string> Losses() => new(Enum.GetNames<LossKind>());

    private static int Outputs(LossKind loss) => LossTargets.Outputs(loss) == 1 ? 1 : 4;

    private static float[] RandomLogits(Xoshiro256StarStar random, int count)
    {
        var logits = new float[count];
        for (int i = 0; i < count; i++) logits[i] = (float)(8 * random.NextDouble() - 4);
        return logits;
    }

    /// <summary>
    /// dLogits = scale·w_i·∂L_i/∂z against scale·(Σw·L(z + h) − Σw·L(z − h)) / (z⁺ − z⁻), h = 1e-3, per logit.
    /// The heads compute the loss in double from the float logits, so the difference quotient has no float noise:
    /// its error is the truncation h²/6·|L'''| ≤ 2e-7 and the float rounding of dLogits (2⁻²⁴ relative).
    /// Tolerance: 1e-4·|g| + 1e-6. The categorical targets of one row sum to 1.5, to check the p·Σt − t form.
    /// </summary>
    [Theory]
    [MemberData(nameof(Losses))]
    public void GradientMatchesCentralDifferencesWithWeightsAndScale(string lossName) => CheckGradient(Enum.Parse<LossKind>(lossName), labelSmoothing: 0f);

    public static TheoryData<string> ClassificationLosses() => new(nameof(LossKind.BinaryCrossEntropy), nameof(LossKind.SparseCategoricalCrossEntropy), nameof(LossKind.CategoricalCrossEntropy));

    /// <summary>The same check with label smoothing ε = 0.2, whose loss is the cross-entropy against the smoothed targets.</summary>
    [Theory]
    [MemberData(nameof(ClassificationLosses))]
    public void GradientWithLabelSmoothingMatchesCentralDifferences(string lossName) => CheckGradient(Enum.Parse<LossKind>(lossName), labelSmoothing: 0.2f);

    /// <summary>
    /// Label smoothing's closed form: for binary, the loss against y(1 − ε) + ε/2; for K classes, against
    /// (1 − ε)·onehot + ε/K, so the loss at uniform logits is log K whatever the label.
    /// </summary>
    [Fact]
    public void LabelSmoothingGivesTheLossOfTheSmoothedTargets()
    {
        var dLogits = new float[3];
        double binary = LossHead.Create(LossKind.BinaryCrossEntropy, 0.2f).LossAndGradient([2f], [1f], [], dLogits, 1, 1, 1f);
        double soft = LossHead.Create(LossKind.BinaryCrossEntropy).LossAndGradient([2f], [0.9f], [], dLogits, 1, 1, 1f);
        Assert.Equal(soft, binary, 1e-7);
        Assert.Equal(1 / (1 + Math.Exp(-2)) - 0.9, dLogits[0], 1e-6);

        double uniform = LossHead.Create(LossKind.SparseCategoricalCrossEntropy, 0.3f).LossAndGradient([0.5f, 0.5f, 0.5f], [2f], [], dLogits, 1, 3, 1f);
        Assert.Equal(Math.Log(3), uniform, 1e-6);
        // Gradient p − t: 1/3 − (0.7 + 0.1) for the label, 1/3 − 0.1 for the others.
        Assert.Equal([1 / 3f - 0.1f, 1 / 3f - 0.1f, 1 / 3f - 0.8f], dLogits, new FloatTolerance(1e-6f));

        Assert.Throws<ArgumentOutOfRangeException>(() => LossHead.Create(LossKind.SquaredError, 0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => LossHead.Create(LossKind.BinaryCrossEntropy, 1f));
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float value) => 0;
    }

    private static void CheckGradient(LossKind loss, float labelSmoothing)
    {
        LossHead head = LossHead.Create(loss, labelSmoothing);
        int outputs = Outputs(loss);
        var random = new Xoshiro256StarStar(21 + (int)loss);
        float[] logits = RandomLogits(random, Rows * outputs);
        float[] targets = LossTargets.AwayFromKinks(loss, logits, Rows, outputs, random);
        if (loss is LossKind.CategoricalCrossEntropy)
            for (int k = 0; k < outputs; k++) targets[k] *= 1.5f;
        float[] weights = [0.5f, 2f, 1f, 0.25f, 3f];
        const float scale = 0.37f;
        var dLogits = new float[Rows * outputs];
        var scratch = new float[Rows * outputs];

        head.LossAndGradient(logits, targets, weights, dLogits, Rows, outputs, scale);

        const double h = 1e-3;
        for (int i = 0; i < logits.Length; i++)
        {
            float original = logits[i];
            float plus = (float)(original + h), minus = (float)(original - h);
            logits[i] = plus;
            double lossPlus = head.LossAndGradient(logits, targets, weights, scratch, Rows, outputs, scale);
            logits[i] = minus;
            double lossMinus = head.LossAndGradient(logits, targets, weights, scratch, Rows, outputs, scale);
            logits[i] = original;
            double central = scale * (lossPlus - lossMinus) / ((double)plus - minus);
            Assert.True(Math.Abs(dLogits[i] - central) <= 1e-4 * Math.Abs(central) + 1e-6,
                $"{loss} dLogits[{i}] = {dLogits[i]:R}, central difference {central:R}.");
        }
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void NoWeightsMeansWeightOne(string lossName)
    {
        LossKind loss = Enum.Parse<LossKind>(lossName);
        LossHead head = LossHead.Create(loss);
        int outputs = Outputs(loss);
        var random = new Xoshiro256StarStar(23);
        float[] logits = RandomLogits(random, Rows * outputs);
        float[] targets = LossTargets.AwayFromKinks(loss, logits, Rows, outputs, random);
        float[] unweighted = new float[logits.Length], ones = new float[logits.Length];

        double lossUnweighted = head.LossAndGradient(logits, targets, [], unweighted, Rows, outputs, 0.2f);
        double lossOnes = head.LossAndGradient(logits, targets, Enumerable.Repeat(1f, Rows).ToArray(), ones, Rows, outputs, 0.2f);

        Assert.Equal(lossOnes, lossUnweighted);
        Assert.Equal(ones, unweighted);
    }

    /// <summary>A row of weight 0 gets a zero gradient and adds nothing to the loss.</summary>
    [Theory]
    [MemberData(nameof(Losses))]
    public void ZeroWeightRowHasNoEffect(string lossName)
    {
        LossKind loss = Enum.Parse<LossKind>(lossName);
        LossHead head = LossHead.Create(loss);
        int outputs = Outputs(loss), width = head.TargetWidth(outputs);
        var random = new Xoshiro256StarStar(29);
        float[] logits = RandomLogits(random, Rows * outputs);
        float[] targets = LossTargets.AwayFromKinks(loss, logits, Rows, outputs, random);
        float[] weights = [1f, 0f, 2f, 0.5f, 1f];
        var dLogits = new float[Rows * outputs];

        double total = head.LossAndGradient(logits, targets, weights, dLogits, Rows, outputs, 1f);

        Assert.All(dLogits[outputs..(2 * outputs)], g => Assert.Equal(0f, g));
        // The same batch without row 1.
        int[] others = [0, 2, 3, 4];
        float[] otherLogits = others.SelectMany(r => logits[(r * outputs)..((r + 1) * outputs)]).ToArray();
        float[] otherTargets = others.SelectMany(r => targets[(r * width)..((r + 1) * width)]).ToArray();
        float[] otherWeights = others.Select(r => weights[r]).ToArray();
        var otherDLogits = new float[others.Length * outputs];
        double otherTotal = head.LossAndGradient(otherLogits, otherTargets, otherWeights, otherDLogits, others.Length, outputs, 1f);
        Assert.Equal(otherTotal, total, 1e-12);
    }

    /// <summary>The heads work from logits, so extreme logits give a finite loss and gradient, never log(0) or ∞/∞.</summary>
    [Fact]
    public void LossAndGradientStayFiniteForExtremeLogits()
    {
        var dLogits = new float[3];
        LossHead binary = LossHead.Create(LossKind.BinaryCrossEntropy);
        double loss = binary.LossAndGradient([200f, -200f], [0f, 1f], [], dLogits, 2, 1, 1f);
        Assert.Equal(400, loss, 1e-9);
        Assert.Equal(new[] { 1f, -1f }, dLogits[..2]);

        LossHead softmax = LossHead.Create(LossKind.SparseCategoricalCrossEntropy);
        loss = softmax.LossAndGradient([1000f, 0f, -1000f], [2f], [], dLogits, 1, 3, 1f);
        Assert.Equal(2000, loss, 1e-9);
        Assert.Equal(new[] { 1f, 0f, -1f }, dLogits);

        LossHead categorical = LossHead.Create(LossKind.CategoricalCrossEntropy);
        loss = categorical.LossAndGradient([-1000f, 0f, 1000f], [0.5f, 0.5f, 0f], [], dLogits, 1, 3, 1f);
        Assert.Equal(1500, loss, 1e-9);
        Assert.Equal(new[] { -0.5f, -0.5f, 1f }, dLogits);
    }

    [Fact]
    public void RegressionLossesHaveTheirTextbookValues()
    {
        var dLogits = new float[3];
        float[] logits = [3f, -1f, 0.5f], targets = [1f, 1f, 0.5f];
        Assert.Equal(8, LossHead.Create(LossKind.SquaredError).LossAndGradient(logits, targets, [], dLogits, 3, 1, 1f), 1e-12);
        Assert.Equal(new[] { 4f, -4f, 0f }, dLogits);
        Assert.Equal(4, LossHead.Create(LossKind.AbsoluteError).LossAndGradient(logits, targets, [], dLogits, 3, 1, 1f), 1e-12);
        Assert.Equal(new[] { 1f, -1f, 0f }, dLogits);
        Assert.Equal(3, LossHead.Create(LossKind.Huber).LossAndGradient(logits, targets, [], dLogits, 3, 1, 1f), 1e-12);
        Assert.Equal(new[] { 1f, -1f, 0f }, dLogits);
        Assert.Equal(0.125, LossHead.Create(LossKind.Huber).LossAndGradient([1.5f], [1f], [], dLogits, 1, 1, 1f), 1e-12);
        Assert.Equal(0.5f, dLogits[0]);
    }

    [Fact]
    public void EachLossTrainsThroughItsTasksOutputHead()
    {
        Assert.Equal(OutputHead.Sigmoid, LossHead.Create(LossKind.BinaryCrossEntropy).Output);
        Assert.Equal(OutputHead.Softmax, LossHead.Create(LossKind.SparseCategoricalCrossEntropy).Output);
        Assert.Equal(OutputHead.Softmax, LossHead.Create(LossKind.CategoricalCrossEntropy).Output);
        foreach (LossKind regression in new[] { LossKind.SquaredError, LossKind.AbsoluteError, LossKind.Huber })
            Assert.Equal(OutputHead.Identity, LossHead.Create(regression).Output);
    }

    [Fact]
    public void SparseClassIndexOutOfRangeIsRejected()
    {
        LossHead head = LossHead.Create(LossKind.SparseCategoricalCrossEntropy);
        Assert.Throws<ArgumentOutOfRangeException>(() => head.LossAndGradient([0f, 0f], [2f], [], new float[2], 1, 2, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => head.LossAndGradient([0f, 0f], [-1f], [], new float[2], 1, 2, 1f));
    }

    [Fact]
    public void TargetWidthIsOneExceptForCategoricalProbabilities()
    {
        foreach (LossKind loss in Enum.GetValues<LossKind>())
            Assert.Equal(loss is LossKind.CategoricalCrossEntropy ? 5 : 1, LossHead.Create(loss).TargetWidth(5));
    }
}
