namespace NeuralML.Reading;

/// <summary>
/// A large array whose pages the other cores fault in while the reading thread fills it from the front. Touching fresh
/// memory costs a page fault per 4 KB page, and under virtualisation that dominates reading a data set into memory (a
/// fresh 188 MB array took 0.56 s to touch on one core of the 2-core VM here, against 0.04 s to read Fashion-MNIST's
/// rows from an ML.NET cache): the reader's own thread faults the first share, one task per other core the rest.
/// Each page is touched with an atomic compare-exchange of 0 with 0, which faults it in as writable and never changes
/// a value, so the reader may overtake a toucher.
/// </summary>
internal sealed class PrefaultedArray
{
    /// <summary>Arrays smaller than this are not worth the tasks.</summary>
    private const long MinBytes = 32L << 20;

    private const int FloatsPerPage = 4096 / sizeof(float);

    private readonly Task? _touching;

    public PrefaultedArray(long length)
    {
        Array = GC.AllocateUninitializedArray<float>(checked((int)length));
        int parts = Environment.ProcessorCount;
        if (length * sizeof(float) < MinBytes || parts < 2) return;
        float[] array = Array;
        _touching = Task.Run(() => Parallel.For(1, parts, new ParallelOptions { MaxDegreeOfParallelism = parts - 1 }, part =>
        {
            long start = array.LongLength * part / parts, end = array.LongLength * (part + 1) / parts;
            for (long i = start; i < end; i += FloatsPerPage) Interlocked.CompareExchange(ref array[i], 0f, 0f);
        }));
    }

    /// <summary>The array; its values are unspecified until written.</summary>
    public float[] Array { get; }

    /// <summary>Waits for the touching tasks (they never change a value, so this only keeps them from outliving the read).</summary>
    public void Finish() => _touching?.Wait();
}
