using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// <see cref="EarlyStopping"/>: the patience (at least the rounds asked for, stretched to 300 optimizer steps on small
/// data), which epoch is best, when to stop, and which parameters come back.
/// </summary>
public class EarlyStoppingTests
{
    /// <summary>Expected patience = max(rounds, ⌈300 / batches per epoch⌉), worked out by hand for each case.</summary>
    [Theory]
    [InlineData(10, 1, 300)]   // one step per epoch: 300 epochs
    [InlineData(10, 30, 10)]   // ⌈300/30⌉ = 10 = rounds
    [InlineData(10, 29, 11)]   // ⌈10.34⌉ = 11
    [InlineData(10, 31, 10)]   // ⌈9.68⌉ = 10
    [InlineData(20, 7, 43)]    // ⌈42.86⌉ = 43
    [InlineData(50, 7, 50)]    // rounds win
    [InlineData(1, 300, 1)]
    [InlineData(1, 301, 1)]    // ⌈0.997⌉ = 1
    [InlineData(3, 100, 3)]
    [InlineData(2, 100, 3)]
    public void PatienceIsTheRoundsOrThreeHundredStepsWhicheverIsMore(int rounds, int batchesPerEpoch, int expected)
    {
        var stopping = new EarlyStopping(rounds, batchesPerEpoch, new float[2]);
        Assert.Equal(expected, stopping.Patience);
    }

    /// <summary>The best epoch is the one of the lowest loss; a later equal loss is no improvement.</summary>
    [Fact]
    public void BestEpochFollowsTheLowestLoss()
    {
        var stopping = new EarlyStopping(rounds: 10, batchesPerEpoch: 100, new float[1]);
        double[] losses = [5, 3, 4, 2, 2, 6, 2.5];
        int[] expectedBest = [1, 2, 2, 4, 4, 4, 4];

        for (int epoch = 1; epoch <= losses.Length; epoch++)
        {
            stopping.Observe(epoch, losses[epoch - 1], new float[1]);
            Assert.Equal(expectedBest[epoch - 1], stopping.BestEpoch);
        }
    }

    /// <summary>Patience 3 (rounds 3, 100 batches): best at epoch 2, so epochs 3 and 4 go on and epoch 5 stops.</summary>
    [Fact]
    public void StopsAfterExactlyPatienceEpochsWithoutImprovement()
    {
        var stopping = new EarlyStopping(rounds: 3, batchesPerEpoch: 100, new float[1]);
        Assert.Equal(3, stopping.Patience);
        double[] losses = [1.0, 0.5, 0.6, 0.5, 0.7];
        bool[] expectedStop = [false, false, false, false, true];

        for (int epoch = 1; epoch <= losses.Length; epoch++)
        {
            stopping.Observe(epoch, losses[epoch - 1], new float[1]);
            Assert.Equal(expectedStop[epoch - 1], stopping.ShouldStop(epoch));
        }
    }

    /// <summary>An improvement resets the count: after a new best at epoch 4, epoch 5 (three after epoch 2) does not stop.</summary>
    [Fact]
    public void ImprovementRestartsThePatience()
    {
        var stopping = new EarlyStopping(rounds: 3, batchesPerEpoch: 100, new float[1]);
        double[] losses = [1.0, 0.5, 0.6, 0.4, 0.9, 0.9, 0.9];
        bool[] expectedStop = [false, false, false, false, false, false, true];

        for (int epoch = 1; epoch <= losses.Length; epoch++)
        {
            stopping.Observe(epoch, losses[epoch - 1], new float[1]);
            Assert.Equal(expectedStop[epoch - 1], stopping.ShouldStop(epoch));
        }
    }

    /// <summary>
    /// The trainer passes the same parameter array every epoch and changes it in between, so the best epoch's values
    /// must be copied, not referenced: epoch e's parameters are (e, 10e, 100e) and epoch 2 is best.
    /// </summary>
    [Fact]
    public void RestoreBestPutsBackTheParametersOfTheBestEpoch()
    {
        float[] parameters = [0f, 0f, 0f];
        var stopping = new EarlyStopping(rounds: 5, batchesPerEpoch: 100, parameters);
        double[] losses = [0.9, 0.3, 0.4, 0.35, 0.8];

        for (int epoch = 1; epoch <= losses.Length; epoch++)
        {
            parameters[0] = epoch;
            parameters[1] = 10 * epoch;
            parameters[2] = 100 * epoch;
            stopping.Observe(epoch, losses[epoch - 1], parameters);
        }
        stopping.RestoreBest(parameters);

        Assert.Equal(2, stopping.BestEpoch);
        Assert.Equal([2f, 20f, 200f], parameters);
    }

    /// <summary>
    /// Losses that never compare below +∞ (NaN, +∞) never improve: the parameters given at construction come back,
    /// even though the array they came from was changed since, and the best epoch stays 0.
    /// </summary>
    [Fact]
    public void WithoutAnyImprovementTheInitialParametersComeBack()
    {
        float[] parameters = [1.5f, -2f, 0.25f];
        var stopping = new EarlyStopping(rounds: 2, batchesPerEpoch: 150, parameters);
        Assert.Equal(2, stopping.Patience);
        double[] losses = [double.NaN, double.PositiveInfinity, double.NaN];

        for (int epoch = 1; epoch <= losses.Length; epoch++)
        {
            parameters[0] = 100 + epoch;
            parameters[1] = 200 + epoch;
            parameters[2] = 300 + epoch;
            stopping.Observe(epoch, losses[epoch - 1], parameters);
            Assert.Equal(epoch >= 2, stopping.ShouldStop(epoch));
        }
        stopping.RestoreBest(parameters);

        Assert.Equal(0, stopping.BestEpoch);
        Assert.Equal([1.5f, -2f, 0.25f], parameters);
    }
}
