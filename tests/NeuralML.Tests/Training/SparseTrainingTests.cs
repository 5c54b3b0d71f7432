using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// Training on a sparse set: its gradient is the dense set's gradient, and the lazy step moves exactly the first-layer
/// weight rows of the features the batch holds.
/// </summary>
public class SparseTrainingTests
{
    private const int Rows = 12, Features = 40;

    /// <summary>The same rows as a sparse and a dense set: about 10% of the values set, every fourth row empty.</summary>
    private static (InMemoryTrainingSet Sparse, InMemoryTrainingSet Dense) Sets()
    {
        var random = new Xoshiro256StarStar(8);
        var values = new List<float>();
        var indices = new List<int>();
        var offsets = new List<int> { 0 };
        var dense = new float[Rows * Features];
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Features && r % 4 != 3; c++)
            {
                if (random.NextDouble() >= 0.1) continue;
                float v = (float)random.NextGaussian();
                values.Add(v);
                indices.Add(c);
                dense[r * Features + c] = v;
            }
            offsets.Add(values.Count);
        }
        float[] targets = [.. Enumerable.Range(0, Rows).Select(i => (float)(i % 2))];
        return (new InMemoryTrainingSet(new SparseFeatures([.. values], [.. indices], [.. offsets], Features), targets, null),
            new InMemoryTrainingSet(dense, targets, null, Features));
    }

    private static (TrainingObjective Objective, FeedForwardNetwork Network) Objective(InMemoryTrainingSet data, bool lazy, float l2 = 0f)
    {
        var network = new FeedForwardNetwork(Features, [6], Activation.Tanh, 1);
        network.Initialize(new Xoshiro256StarStar(3));
        var settings = new TrainingSettings { Loss = LossKind.BinaryCrossEntropy, StandardizeFeatures = false };
        bool sparse = data.Sparse is not null;
        var objective = new TrainingObjective(network, LossHead.Create(LossKind.BinaryCrossEntropy), DenseKernels.Default, data,
            new BatchBuffers(Rows, Features, 1, 1, weighted: false, dense: !sparse, sparse: sparse), Standardizer.Fit(data, settings), false,
            new Regularization(l2, 0f, null), [])
        {
            LazySparseUpdates = lazy,
        };
        return (objective, network);
    }

    /// <summary>Several batches in turn (so that rows the last batch wrote must be cleared): the full gradient of a sparse batch is the dense one's.</summary>
    [Fact]
    public void The_gradient_of_a_sparse_batch_is_the_dense_batchs()
    {
        (InMemoryTrainingSet sparse, InMemoryTrainingSet dense) = Sets();
        (TrainingObjective onSparse, _) = Objective(sparse, lazy: false, l2: 0.01f);
        (TrainingObjective onDense, _) = Objective(dense, lazy: false, l2: 0.01f);
        foreach (int[] rows in new[] { new[] { 0, 1, 2, 3 }, [5, 7, 11], [4, 8, 9, 10, 6], [3] })
        {
            (double sparseLoss, _) = onSparse.Evaluate(rows);
            (double denseLoss, _) = onDense.Evaluate(rows);
            Assert.Equal(denseLoss, sparseLoss, 1e-6);
            float[] expected = onDense.Gradient.ToArray(), actual = onSparse.Gradient.ToArray();
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 + 1e-5 * Math.Abs(expected[i]), $"gradient[{i}]: dense {expected[i]:R}, sparse {actual[i]:R}");
        }
    }

    /// <summary>
    /// AdamW with L2 on a sparse batch: the first-layer weight rows of features the batch does not hold keep their bits
    /// (no update, no decay, no penalty); the others move; the touched rows' gradient is the dense gradient's.
    /// </summary>
    [Fact]
    public void The_lazy_step_moves_only_the_first_layer_rows_the_batch_holds()
    {
        (InMemoryTrainingSet sparse, InMemoryTrainingSet dense) = Sets();
        (TrainingObjective objective, FeedForwardNetwork network) = Objective(sparse, lazy: true, l2: 0.01f);
        (TrainingObjective onDense, _) = Objective(dense, lazy: false, l2: 0.01f);
        int[] rows = [0, 1, 2, 3];
        var held = new HashSet<int>();
        foreach (int r in rows)
            for (int k = sparse.Sparse!.Offsets[r]; k < sparse.Sparse.Offsets[r + 1]; k++) held.Add(sparse.Sparse.Indices[k]);
        Assert.InRange(held.Count, 1, Features - 1);
        float[] before = (float[])network.Parameters.Clone();
        var adam = new AdamOptimizer(before.Length) { WeightDecay = 0.5f };

        onDense.Evaluate(rows);
        adam.Step(objective, rows, 0.01f);

        SparseStep step = objective.SparseStep!;
        Assert.Equal(held.Order(), step.Rows.ToArray());
        DenseLayerShape first = network.Layers[0];
        for (int j = 0; j < Features; j++)
        {
            float[] now = network.Weights(0).Slice(j * first.Outputs, first.Outputs).ToArray();
            float[] then = before.AsSpan(first.WeightOffset + j * first.Outputs, first.Outputs).ToArray();
            if (held.Contains(j)) Assert.NotEqual(then, now);
            else Assert.Equal(then, now);
        }
        for (int i = 0; i < step.Rows.Length; i++)
        {
            int j = step.Rows[i];
            for (int o = 0; o < first.Outputs; o++)
            {
                float expected = onDense.Gradient[first.WeightOffset + j * first.Outputs + o], actual = step.Gradient[i * first.Outputs + o];
                Assert.True(Math.Abs(expected - actual) <= 1e-6 + 1e-5 * Math.Abs(expected), $"dW[{j}, {o}]: dense {expected:R}, sparse {actual:R}");
            }
        }
        // Everything after the first layer's weights steps densely.
        Assert.NotEqual(before.AsSpan(first.BiasOffset).ToArray(), network.Parameters.AsSpan(first.BiasOffset).ToArray());
    }
}
