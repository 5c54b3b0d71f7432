using NeuralML.Network;
using NeuralML.Training;
using Xunit;
using Xunit.Abstractions;

namespace NeuralML.Tests.Training;

public class TempSeedSweep(ITestOutputHelper output)
{
    [Fact]
    public void Sweep()
    {
        var configs = new (OptimizerKind, float, int, float)[] {
            (OptimizerKind.Sgd, 0.2f, 500, 0.9f), (OptimizerKind.Sgd, 0.3f, 500, 0.9f)};
        foreach (bool sf in new[] { true, false })
        foreach (var (opt, lr, epochs, mom) in configs)
        {
            int ok = 0; var bad = new List<int>();
            for (int seed = 0; seed < 200; seed++)
            {
                Dataset xor = Dataset.Xor();
                var trainer = new NetworkTrainer(new TrainingSettings { Loss = LossKind.BinaryCrossEntropy, HiddenLayers = [4], Activation = Activation.Tanh, Optimizer = opt, Momentum = mom, LearningRate = lr, Epochs = epochs, BatchSize = 4, Seed = seed, StandardizeFeatures = sf });
                var network = trainer.Train(xor.ToTrainingSet(), 1);
                float[] logits = xor.Logits(network);
                bool all = true;
                for (int r = 0; r < 4; r++) all &= (logits[r] > 0) == (xor.Targets[r] == 1f);
                if (all && trainer.History[^1].Loss < 0.1) ok++; else bad.Add(seed);
            }
            output.WriteLine($"sf {sf} {opt} lr {lr} epochs {epochs} mom {mom}: ok {ok}/200 bad {string.Join(",", bad.Take(10))}");
        }
    }
}
