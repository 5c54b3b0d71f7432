using BenchmarkDotNet.Attributes;
using NeuralML.Training;

namespace NeuralML.Benchmarks;

/// <summary>
/// One training epoch of 784-256-128-10 (ReLU, Adam lr 1e-3, batch 128) over 60,000 synthetic rows: the shape of the
/// Fashion-MNIST comparison, without the file reading. Threads: 1, or 0 for all cores.
/// </summary>
public class TrainingBenchmarks
{
    private const int Rows = 60_000, Features = 784, Classes = 10;
    private InMemoryTrainingSet _data = null!;

    [Params(1, 0)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var features = new float[Rows * Features];
        for (int i = 0; i < features.Length; i++) features[i] = random.NextSingle();
        var targets = new float[Rows];
        for (int i = 0; i < Rows; i++) targets[i] = random.Next(Classes);
        _data = new InMemoryTrainingSet(features, targets, null, Features);
    }

    [Benchmark]
    public float[] Epoch()
    {
        var settings = new TrainingSettings
        {
            Loss = LossKind.SparseCategoricalCrossEntropy,
            HiddenLayers = [256, 128],
            Epochs = 1,
            BatchSize = 128,
            LearningRate = 1e-3f,
            Seed = 1,
            ValidationFraction = 0,
            NumberOfThreads = Threads == 0 ? Environment.ProcessorCount : Threads,
        };
        return new NetworkTrainer(settings).Train(_data, Classes).Network.Parameters;
    }
}
