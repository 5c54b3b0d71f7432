using System.Runtime.CompilerServices;

namespace NeuralML.Kernels;

/// <summary>
/// A small pool of dedicated threads for the kernels. A job is split into a fixed number of parts; part p always
/// runs the same code on the same data, whichever thread takes it, so results do not depend on scheduling. Workers
/// spin briefly between jobs, because a training step issues several products a millisecond and waking a sleeping
/// thread costs more than a small product; after that they sleep. Dispatching allocates nothing.
/// </summary>
internal sealed unsafe class WorkerPool
{
    /// <summary>How long an idle worker keeps polling before it sleeps.</summary>
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 500; // 2 ms
    private static readonly Lazy<WorkerPool> SharedPool = new(() => new WorkerPool(Environment.ProcessorCount - 1));

    private readonly object _sync = new();
    private readonly object _runLock = new();
    private readonly int _workers;
    private delegate*<void*, int, void> _work;
    private void* _state;
    private int _remaining;
    private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _failure;
    private int _generation;

    // _signal[w] is the generation of the last job handed to worker w; only the workers a job uses are signalled, and
    // the caller waits for all of them before it changes the job, so a worker always reads the job it was given.
    private readonly int[] _signal;

    private WorkerPool(int workers)
    {
        _workers = Math.Max(0, workers);
        _signal = new int[_workers + 1];
        for (int w = 1; w <= _workers; w++)
        {
            int index = w;
            var thread = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"NeuralML kernel worker {index}" };
            thread.Start();
        }
    }

    /// <summary>The pool shared by all kernels: one worker per core beside the calling thread.</summary>
    public static WorkerPool Shared => SharedPool.Value;

    /// <summary>
    /// How many jobs were started from inside a part of another (and so ran on one thread). Only the thread that holds
    /// the pool counts them, so a caller that compares it before and after its own job sees its own nested jobs.
    /// </summary>
    public int NestedRuns { get; private set; }

    /// <summary>The most parts a job can run at once (the workers plus the calling thread).</summary>
    public int MaxParts => _workers + 1;

    /// <summary>
    /// Runs work(state, p) for p in [0, parts) and returns when all are done. The caller runs part 0. If another job
    /// holds the pool, every part runs on the caller, in order; so does a job started from inside a part (the lock is
    /// re-entrant, and the workers are busy with the outer job: a batch reader's source may itself be a scored view).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(int parts, delegate*<void*, int, void> work, void* state)
    {
        bool nested = Monitor.IsEntered(_runLock);
        if (nested) NestedRuns++;
        if (parts <= 1 || _workers == 0 || nested || !Monitor.TryEnter(_runLock))
        {
            for (int p = 0; p < parts; p++) work(state, p);
            return;
        }
        try
        {
            int dispatched = Math.Min(parts, MaxParts);
            _work = work;
            _state = state;
            Volatile.Write(ref _remaining, dispatched - 1);
            int generation = ++_generation;
            for (int w = 1; w < dispatched; w++) Volatile.Write(ref _signal[w], generation);
            lock (_sync) Monitor.PulseAll(_sync);
            // Whatever a part throws, every worker must finish before the job's state (on the caller's stack, with
            // pinned buffers) goes away; the first exception is rethrown once they have.
            try
            {
                work(state, 0);
                // Parts beyond the pool's width run here too, after part 0.
                for (int p = dispatched; p < parts; p++) work(state, p);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e), null);
            }
            long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
            for (int polls = 0; Volatile.Read(ref _remaining) > 0; polls++)
            {
                // Parts take microseconds; yield only if a worker has been held up for long (its core taken away).
                if ((polls & 1023) == 1023 && System.Diagnostics.Stopwatch.GetTimestamp() > deadline) Thread.Yield();
            }
            System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = Interlocked.Exchange(ref _failure, null);
            failure?.Throw();
        }
        finally
        {
            Monitor.Exit(_runLock);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WorkerLoop(int index)
    {
        int seen = 0;
        while (true)
        {
            // Poll with plain reads, not PAUSE: under KVM, long PAUSE loops trip pause-loop exiting and the vCPU is
            // descheduled, which made every wake-up cost ~30 µs.
            long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
            for (int polls = 0; Volatile.Read(ref _signal[index]) == seen; polls++)
            {
                if ((polls & 1023) == 1023 && System.Diagnostics.Stopwatch.GetTimestamp() > deadline) break;
            }
            if (Volatile.Read(ref _signal[index]) == seen)
            {
                lock (_sync)
                {
                    while (Volatile.Read(ref _signal[index]) == seen) Monitor.Wait(_sync);
                }
            }
            seen = Volatile.Read(ref _signal[index]);
            try
            {
                _work(_state, index);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e), null);
            }
            Interlocked.Decrement(ref _remaining);
        }
    }
}
