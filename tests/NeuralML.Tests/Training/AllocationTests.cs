using NeuralML.Tests.Support;
using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// Workspaces are allocated once per training run: more epochs must not allocate more per batch, on any thread. The
/// shapes are large enough that the products and Adam's update run on the kernel worker pool (2 threads), and the
/// count is the whole process's (<see cref="GC.GetTotalAllocatedBytes(bool)"/>), so the test runs alone.
/// </summary>
[Collection(RunsAlone.Name)]
public class AllocationTests
{
    private const int Rows = 512, Features = 256, BatchSize = 16;

    private static readonly InMemoryTrainingSet Data = RandomData();

    private static InMemoryTrainingSet RandomData()
    {
        var random = new Random(1);
        var features = Enumerable.Range(0, Rows * Features).Select(_ => random.NextSingle()).ToArray();
        var targets = Enumerable.Range(0, Rows).Select(i => (float)(i % 3)).ToArray();
        return new InMemoryTrainingSet(features, targets, null, Features);
    }

    private static long AllocatedDuring(int epochs)
    {
        var settings = new TrainingSettings
        {
            Loss = LossKind.SparseCategoricalCrossEntropy, ValidationFraction = 0, HiddenLayers = [256, 64], Epochs = epochs, BatchSize = BatchSize,
            Seed = 1, DropoutRate = 0.1f, NumberOfThreads = 2,
        };
        long before = GC.GetTotalAllocatedBytes(precise: true);
        new NetworkTrainer(settings).Train(Data, 3);
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    /// <summary>
    /// The difference between 2 and 20 epochs, 576 batches, divided per batch. Other threads of the test host (result
    /// reporting, the JIT's tiering) may allocate during a measurement and only ever add to it, so the smallest of
    /// three measurements is taken.
    /// </summary>
    [Fact]
    public void Extra_epochs_allocate_almost_nothing_per_batch()
    {
        AllocatedDuring(2); // warm up: JIT and array pools
        double perBatch = Enumerable.Range(0, 3).Min(_ => (AllocatedDuring(20) - AllocatedDuring(2)) / (18.0 * Rows / BatchSize));
        // A per-epoch stopwatch and the loss history grow a little; a per-batch buffer would be kilobytes.
        Assert.True(perBatch < 32, $"{perBatch:F1} bytes allocated per extra batch");
    }
}
