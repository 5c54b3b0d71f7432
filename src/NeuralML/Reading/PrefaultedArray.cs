using System.Runtime.InteropServices;

namespace NeuralML.Reading;

/// <summary>
/// A large array whose pages the other cores fault in while the reading thread fills it from the front. Touching fresh
/// memory costs a page fault per 4 KB page, and under virtualisation that dominates reading a data set into memory (a
/// fresh 188 MB array took 0.56 s to touch on one core of the 2-core VM here, against 0.04 s to read Fashion-MNIST's
/// rows from an ML.NET cache): the reader's own thread faults the first share, one task per other core the rest.
/// Each page is touched with an atomic compare-exchange of 0 with 0, which faults it in as writable and never changes
/// a value, so the reader may overtake a toucher. On Linux the array's whole 2 MB pages are first advised as huge pages
/// (transparent huge pages in "madvise" mode, most distributions' default): one fault then maps 2 MB, and touching the
/// same 188 MB took 0.01–0.4 s here instead of 0.6 s (the slow end when the VM must first back the pages).
/// </summary>
internal sealed partial class PrefaultedArray
{
    /// <summary>Arrays smaller than this are not worth the tasks.</summary>
    private const long MinBytes = 32L << 20;

    private const int FloatsPerPage = 4096 / sizeof(float);

    private readonly Task? _touching;

    public PrefaultedArray(long length)
    {
        Array = GC.AllocateUninitializedArray<float>(checked((int)length));
        if (length * sizeof(float) >= MinBytes && OperatingSystem.IsLinux()) AdviseHugePages(Array);
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

    /// <summary>
    /// Advises the kernel to back the array's whole 2 MB pages with huge pages. Advice only: where the kernel refuses
    /// (transparent huge pages off, or no libc), the array keeps 4 KB pages and nothing else changes.
    /// </summary>
    private static unsafe void AdviseHugePages(float[] array)
    {
        const nuint HugePage = 2u << 20;
        const int MadviseHugePage = 14;
        fixed (float* first = array)
        {
            nuint start = ((nuint)first + HugePage - 1) & ~(HugePage - 1);
            nuint end = ((nuint)(first + array.LongLength)) & ~(HugePage - 1);
            if (end <= start) return;
            try
            {
                _ = Madvise(start, end - start, MadviseHugePage);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // Not glibc or musl: keep the default pages.
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nuint address, nuint length, int advice);

    /// <summary>Waits for the touching tasks (they never change a value, so this only keeps them from outliving the read).</summary>
    public void Finish() => _touching?.Wait();
}
