using NeuralML.Numerics;
using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// <see cref="ValidationRows"/>: when rows are held out (early stopping on, a positive fraction, and rows left on both
/// sides), how many (⌈fraction·rows⌉), that training and held-out rows split the set exactly, that a given validation
/// set is watched whole, and that the random generator is drawn from only when rows are held out (so that the draws
/// after it, the shuffles and dropout, are those of a run without a hold-out).
/// </summary>
public class ValidationRowsTests
{
    private const long Seed = 20;

    private static InMemoryTrainingSet Set(int rows) => new(new float[rows * 2], new float[rows], null, featureCount: 2);

    private static TrainingSettings Settings(float fraction, int rounds) => new()
    {
        Loss = LossKind.SquaredError,
        ValidationFraction = fraction,
        EarlyStoppingRounds = rounds,
    };

    /// <summary>The generator was not drawn from: its next value is a fresh generator's first.</summary>
    private static void AssertNotAdvanced(Xoshiro256StarStar random)
        => Assert.Equal(new Xoshiro256StarStar(Seed).NextUInt64(), random.NextUInt64());

    private static void AssertNoHoldOut(ValidationRows split, int rows)
    {
        Assert.Equal(Enumerable.Range(0, rows), split.TrainingRows);
        Assert.Null(split.Set);
        Assert.Empty(split.Rows);
        Assert.False(split.IsHeldOut);
    }

    [Theory]
    [InlineData(0.25f, 0)]  // early stopping off
    [InlineData(0f, 10)]    // no fraction to hold out
    [InlineData(0f, 0)]
    public void NothingIsHeldOutWithoutEarlyStoppingOrFraction(float fraction, int rounds)
    {
        var random = new Xoshiro256StarStar(Seed);
        ValidationRows split = ValidationRows.Create(Set(50), null, Settings(fraction, rounds), random);

        AssertNoHoldOut(split, 50);
        AssertNotAdvanced(random);
    }

    /// <summary>
    /// ⌈fraction·rows⌉ rows are held out, worked out by hand. The fractions are exact in binary, so that the float
    /// fraction is the decimal one: 0.1f is 0.100000001490116…, and ⌈100·0.1f⌉ is 11, not 10.
    /// </summary>
    [Theory]
    [InlineData(100, 0.25f, 25)]
    [InlineData(101, 0.25f, 26)]   // ⌈25.25⌉
    [InlineData(7, 0.125f, 1)]     // ⌈0.875⌉
    [InlineData(9, 0.375f, 4)]     // ⌈3.375⌉
    [InlineData(2, 0.5f, 1)]       // one row on each side
    [InlineData(1000, 0.0625f, 63)] // ⌈62.5⌉
    public void CeilingOfTheFractionIsHeldOutAndTheSidesSplitTheRows(int rows, float fraction, int expectedHeldOut)
    {
        InMemoryTrainingSet set = Set(rows);
        var random = new Xoshiro256StarStar(Seed);

        ValidationRows split = ValidationRows.Create(set, null, Settings(fraction, rounds: 5), random);

        Assert.True(split.IsHeldOut);
        Assert.Same(set, split.Set);
        Assert.Equal(expectedHeldOut, split.Rows.Length);
        Assert.Equal(rows - expectedHeldOut, split.TrainingRows.Length);
        Assert.Empty(split.TrainingRows.Intersect(split.Rows));
        Assert.Equal(Enumerable.Range(0, rows), split.TrainingRows.Concat(split.Rows).Order());
    }

    /// <summary>The hold-out is a random sample: with 100 rows, three seeds give three different sets of 25.</summary>
    [Fact]
    public void HeldOutRowsDependOnTheGenerator()
    {
        var heldOut = new[] { 1L, 2L, 3L }
            .Select(seed => ValidationRows.Create(Set(100), null, Settings(0.25f, 5), new Xoshiro256StarStar(seed)).Rows.Order().ToArray())
            .ToList();

        Assert.NotEqual(heldOut[0], heldOut[1]);
        Assert.NotEqual(heldOut[1], heldOut[2]);
        Assert.NotEqual(heldOut[0], heldOut[2]);
        // Not simply the last rows in their original order either.
        Assert.NotEqual(Enumerable.Range(75, 25), heldOut[0]);
    }

    /// <summary>A hold-out that would take more rows than it leaves to train (or there are no rows at all) is not made.</summary>
    [Theory]
    [InlineData(1, 0.5f)]    // ⌈0.5⌉ = 1 = every row
    [InlineData(1, 0.01f)]
    [InlineData(10, 0.95f)]  // ⌈9.5⌉ = 10 = every row
    [InlineData(4, 0.875f)]  // ⌈3.5⌉ = 4
    [InlineData(3, 0.5f)]    // ⌈1.5⌉ = 2 would leave 1 row to train: never most of the data
    [InlineData(10, 0.55f)]  // ⌈5.5⌉ = 6 of 10
    [InlineData(0, 0.5f)]    // no rows: ⌈0⌉ = 0, none
    public void NothingIsHeldOutWhenItWouldTakeEveryRowOrNone(int rows, float fraction)
    {
        var random = new Xoshiro256StarStar(Seed);
        ValidationRows split = ValidationRows.Create(Set(rows), null, Settings(fraction, rounds: 5), random);

        AssertNoHoldOut(split, rows);
        AssertNotAdvanced(random);
    }

    /// <summary>A given validation set is watched whole, every training row trains, whatever the fraction.</summary>
    [Theory]
    [InlineData(0.5f, 5)]
    [InlineData(0f, 0)]
    public void GivenValidationSetIsWatchedWholeAndNothingIsHeldOut(float fraction, int rounds)
    {
        InMemoryTrainingSet validation = Set(13);
        var random = new Xoshiro256StarStar(Seed);

        ValidationRows split = ValidationRows.Create(Set(40), validation, Settings(fraction, rounds), random);

        Assert.False(split.IsHeldOut);
        Assert.Same(validation, split.Set);
        Assert.Equal(Enumerable.Range(0, 13), split.Rows);
        Assert.Equal(Enumerable.Range(0, 40), split.TrainingRows);
        AssertNotAdvanced(random);
    }
}
