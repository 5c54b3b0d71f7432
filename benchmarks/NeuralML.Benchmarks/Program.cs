using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using NeuralML.Benchmarks;

// Runs the suite; pass BenchmarkDotNet arguments, e.g. --filter '*Gemm*' or --job short.
// GEMM and FMA-peak rows are joined into one table so the "% of FMA peak" column can compare them.
var config = DefaultConfig.Instance
    .AddColumn(new GflopsColumn(fractionOfPeak: false), new GflopsColumn(fractionOfPeak: true))
    .WithOptions(ConfigOptions.JoinSummary);
BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args, config);
