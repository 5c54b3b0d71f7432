using BenchmarkDotNet.Attributes;
using NeuralML.Kernels;

namespace NeuralML.Benchmarks;

/// <summary>One dense layer's shape: a batch of <see cref="Rows"/> rows through <see cref="Inputs"/> → <see cref="Outputs"/>.</summary>
public sealed record LayerShape(int Rows, int Inputs, int Outputs)
{
    public long Flops => 2L * Rows * Inputs * Outputs;

    public override string ToString() => $"{Rows}x{Inputs}->{Outputs}";
}

/// <summary>
/// The three products of a dense layer at the layer shapes of 784-256-128-10 and 784-1024-1024-10 nets with batch 128,
/// on the kernels this machine chooses (or <c>NEURALML_KERNELS</c>), on one thread and on all cores.
/// </summary>
public class GemmBenchmarks
{
    private float[] _x = [], _weights = [], _bias = [], _y = [], _dY = [], _dX = [], _dWeights = [], _dBias = [];
    private DenseKernels _kernels = PortableDenseKernels.Instance;

    public static IEnumerable<LayerShape> Shapes =>
    [
        new(128, 784, 256), new(128, 256, 128), new(128, 128, 10),
        new(128, 784, 1024), new(128, 1024, 1024), new(128, 1024, 10),
    ];

    [ParamsSource(nameof(Shapes))]
    public LayerShape Shape { get; set; } = new(128, 784, 256);

    /// <summary>Threads: 1, or 0 for all cores.</summary>
    [Params(1, 0)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _kernels = DenseKernels.Create(Threads == 0 ? Environment.ProcessorCount : Threads);
        var random = new Random(1);
        float[] Fill(int n) => Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        (int rows, int inputs, int outputs) = (Shape.Rows, Shape.Inputs, Shape.Outputs);
        _x = Fill(rows * inputs);
        _weights = Fill(outputs * inputs);
        _bias = Fill(outputs);
        _y = new float[rows * outputs];
        _dY = Fill(rows * outputs);
        _dX = new float[rows * inputs];
        _dWeights = new float[outputs * inputs];
        _dBias = new float[outputs];
    }

    [Benchmark]
    public void Forward() => _kernels.Forward(_x, _weights, _bias, _y, Shape.Rows, Shape.Inputs, Shape.Outputs);

    [Benchmark]
    public void InputGradient() => _kernels.InputGradient(_dY, _weights, _dX, Shape.Rows, Shape.Inputs, Shape.Outputs);

    [Benchmark]
    public void WeightGradient() => _kernels.WeightGradient(_dY, _x, _dWeights, _dBias, Shape.Rows, Shape.Inputs, Shape.Outputs);
}
