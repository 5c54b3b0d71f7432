using NeuralML.Kernels;

namespace NeuralML.Tests.Kernels;

/// <summary>Every part of every job runs exactly once, also with more parts than threads and with callers racing.</summary>
public unsafe class WorkerPoolTests
{
    private struct Counts
    {
        public int* PerPart;
    }

    private static void CountPart(void* state, int part) => Interlocked.Increment(ref ((Counts*)state)->PerPart[part]);

    private static void RunJobs(int jobs, int parts)
    {
        int* perPart = stackalloc int[parts];
        var counts = new Counts { PerPart = perPart };
        for (int job = 0; job < jobs; job++) WorkerPool.Shared.Run(parts, &CountPart, &counts);
        for (int p = 0; p < parts; p++) Assert.Equal(jobs, perPart[p]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Every_part_runs_once_per_job(int parts) => RunJobs(5_000, parts);

    [Fact]
    public void Callers_on_several_threads_each_get_all_their_parts()
    {
        var failures = new List<Exception>();
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            try
            {
                RunJobs(2_000, 3);
            }
            catch (Exception e)
            {
                lock (failures) failures.Add(e);
            }
        })).ToArray();
        foreach (Thread thread in threads) thread.Start();
        foreach (Thread thread in threads) thread.Join();
        Assert.Empty(failures);
    }
}
