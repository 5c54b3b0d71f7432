using System.Diagnostics;
using NeuralML.Kernels;
using NeuralML.Numerics;

namespace NeuralML.Sparse;

/// <summary>
/// The density at which the sparse first-layer products stop paying: a batch of rows of <c>width</c> slots into
/// <c>outputs</c> units, forward plus weight gradient, on the sparse kernels (with the batch's transpose) and on the
/// packed dense GEMMs, at densities from 0.5% to 50%. Prints one line per density with both times per batch.
/// </summary>
internal static class Crossover
{
    public static void Run(int rows, int width, int outputs, int threads)
    {
        DenseKernels dense = DenseKernels.Create(threads);
        SparseKernels sparse = dense.Sparse;
        var random = new Xoshiro256StarStar(1);
        var weights = new float[width * outputs];
        foreach (ref float w in weights.AsSpan()) w = (float)random.NextGaussian();
        var bias = new float[outputs];
        var y = new float[rows * outputs];
        var dY = new float[rows * outputs];
        foreach (ref float d in dY.AsSpan()) d = (float)random.NextGaussian();
        var dW = new float[width * outputs];
        var dB = new float[outputs];
        var columns = new SparseColumns();
        Console.WriteLine($"Crossover: batch {rows} x {width} -> {outputs}, path {dense.Name}, {threads} threads; ms per batch (forward + weight gradient)");
        Console.WriteLine("density  sparse    dense     sparse/dense");
        foreach (double density in new[] { 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5 })
        {
            var x = new float[rows * width];
            var values = new List<float>();
            var indices = new List<int>();
            var offsets = new List<int> { 0 };
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < width; c++)
                {
                    if (random.NextDouble() >= density) continue;
                    float v = (float)random.NextGaussian();
                    x[r * width + c] = v;
                    values.Add(v);
                    indices.Add(c);
                }
                offsets.Add(values.Count);
            }
            float[] v0 = [.. values];
            int[] i0 = [.. indices], o0 = [.. offsets];
            double sparseMs = Time(() =>
            {
                var batch = new SparseRows(v0, i0, o0, width);
                sparse.Forward(batch, weights, bias, y, width, outputs);
                columns.Build(batch);
                sparse.WeightGradient(columns, dY, dW, dB, rows, width, outputs, compact: true);
            });
            double denseMs = Time(() =>
            {
                dense.Forward(x, weights, bias, y, rows, width, outputs);
                dense.WeightGradient(dY, x, dW, dB, rows, width, outputs);
            });
            Console.WriteLine($"{density,7:P1}  {sparseMs,8:F4}  {denseMs,8:F4}  {sparseMs / denseMs,6:F2}");
        }
    }

    /// <summary>The best of 25 timings of enough repetitions to last about 5 ms each (the best, because the machine is shared).</summary>
    private static double Time(Action action)
    {
        action();
        var watch = Stopwatch.StartNew();
        int reps = 0;
        while (watch.ElapsedMilliseconds < 5) { action(); reps++; }
        reps = Math.Max(1, reps);
        double best = double.MaxValue;
        for (int t = 0; t < 25; t++)
        {
            watch.Restart();
            for (int i = 0; i < reps; i++) action();
            best = Math.Min(best, watch.Elapsed.TotalMilliseconds / reps);
        }
        return best;
    }
}
