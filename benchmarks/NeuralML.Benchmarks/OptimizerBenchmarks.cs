using BenchmarkDotNet.Attributes;
using NeuralML.Kernels;

namespace NeuralML.Benchmarks;

/// <summary>
/// One Adam and one SGD update of the 784-256-128-10 network's 235,146 parameters: memory-bound sweeps of the
/// parameter buffer (Adam reads and writes four floats per parameter). Threads: 1, or 0 for all cores.
/// </summary>
public class OptimizerBenchmarks
{
    private const int Parameters = 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10;
    private float[] _parameters = [], _gradients = [], _m = [], _v = [];

    [Params(1, 0)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        float[] Fill() => Enumerable.Range(0, Parameters).Select(_ => random.NextSingle() - 0.5f).ToArray();
        _parameters = Fill();
        _gradients = Fill();
        _m = Fill();
        _v = Fill().Select(Math.Abs).ToArray();
    }

    private int ThreadCount => Threads == 0 ? Environment.ProcessorCount : Threads;

    [Benchmark]
    public void Adam() => OptimizerKernels.Adam(_parameters, _gradients, _m, _v, 1e-7f, 0.9f, 0.999f, 1e-8f, 0.5f, ThreadCount);

    [Benchmark]
    public void Sgd() => OptimizerKernels.Sgd(_parameters, _gradients, _m, 1e-7f, 0.9f, nesterov: false, ThreadCount);
}
