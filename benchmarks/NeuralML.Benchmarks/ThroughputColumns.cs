using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace NeuralML.Benchmarks;

/// <summary>
/// GFLOP/s of each GEMM and FMA-peak row, and the GEMM's fraction of the peak measured in the same run at the same
/// thread setting (so 1-thread GEMMs compare with the 1-thread peak, all-core with all-core).
/// </summary>
public sealed class GflopsColumn(bool fractionOfPeak) : IColumn
{
    public string Id => fractionOfPeak ? "PeakFraction" : "GFLOPs";
    public string ColumnName => fractionOfPeak ? "% of FMA peak" : "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => fractionOfPeak ? 1 : 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => fractionOfPeak ? "GFLOP/s over the FMA peak measured in this run at the same thread setting" : "Billions of floating-point operations per second (2·M·N·K per GEMM)";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? gflops = Gflops(summary, benchmarkCase);
        if (gflops is null) return "-";
        if (!fractionOfPeak) return gflops.Value.ToString("F1");
        object? threads = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Threads")?.Value;
        BenchmarkCase? peak = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.WorkloadMethod.Name == nameof(FmaPeakBenchmarks.FmaPeak) && Equals(c.Parameters.Items.FirstOrDefault(p => p.Name == "Threads")?.Value, threads));
        double? peakGflops = peak is null ? null : Gflops(summary, peak);
        if (peakGflops is null || benchmarkCase == peak) return "-";
        return (gflops.Value / peakGflops.Value).ToString("P0");
    }

    private static double? Gflops(Summary summary, BenchmarkCase benchmarkCase)
    {
        double? nanoseconds = summary[benchmarkCase]?.ResultStatistics?.Median;
        if (nanoseconds is null or <= 0) return null;
        long flops;
        if (benchmarkCase.Descriptor.WorkloadMethod.Name == nameof(FmaPeakBenchmarks.FmaPeak))
        {
            int threads = (int)benchmarkCase.Parameters.Items.First(p => p.Name == "Threads").Value;
            flops = FmaPeakBenchmarks.FlopsPerThread * (threads == 0 ? Environment.ProcessorCount : threads);
        }
        else if (benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Shape")?.Value is LayerShape shape)
        {
            flops = shape.Flops;
        }
        else
        {
            return null;
        }
        return flops / nanoseconds.Value;
    }

    public override string ToString() => ColumnName;
}
