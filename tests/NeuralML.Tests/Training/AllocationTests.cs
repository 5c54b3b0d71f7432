using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>Workspaces are allocated once per training run: more epochs must not allocate more per batch.</summary>
public class AllocationTests
{
    private static long AllocatedDuring(int epochs)
    {
        var random = new Random(1);
        var features = Enumerable.Range(0, 400 * 64).Select(_ => random.NextSingle()).ToArray();
        var targets = Enumerable.Range(0, 400).Select(i => (float)(i % 3)).ToArray();
        var data = new InMemoryTrainingSet(features, targets, null, 64);
        var settings = new TrainingSettings
        {
            Loss = LossKind.SparseCategoricalCrossEntropy, ValidationFraction = 0, HiddenLayers = [48, 32], Epochs = epochs, BatchSize = 8, Seed = 1, DropoutRate = 0.1f, NumberOfThreads = 2,
        };
        new NetworkTrainer(settings).Train(data, 3); // warm up: JIT and array pools
        long before = GC.GetAllocatedBytesForCurrentThread();
        new NetworkTrainer(settings).Train(data, 3);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Extra_epochs_allocate_almost_nothing_per_batch()
    {
        long twoEpochs = AllocatedDuring(2), tenEpochs = AllocatedDuring(10);
        double perBatch = (tenEpochs - twoEpochs) / (8.0 * 50);
        // A per-epoch stopwatch and the loss history grow a little; a per-batch buffer would be kilobytes.
        Assert.True(perBatch < 32, $"{perBatch:F1} bytes allocated per extra batch");
    }
}
