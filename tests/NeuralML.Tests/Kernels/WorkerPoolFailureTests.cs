using NeuralML.Kernels;

namespace NeuralML.Tests.Kernels;

/// <summary>A part that throws: the caller gets the exception once no part is running any more, and the pool keeps working.</summary>
public unsafe class WorkerPoolFailureTests
{
    private struct State
    {
        public int Finished;
        public int Throwing;
    }

    private static void Part(void* state, int part)
    {
        var s = (State*)state;
        if (part == s->Throwing) throw new InvalidOperationException($"part {part} failed");
        Thread.Sleep(5);
        Interlocked.Increment(ref s->Finished);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_failing_part_is_rethrown_after_the_others_finish(int throwing)
    {
        State* state = stackalloc State[1];
        state->Throwing = throwing;
        InvalidOperationException? caught = null;
        try
        {
            WorkerPool.Shared.Run(3, &Part, state);
        }
        catch (InvalidOperationException e)
        {
            caught = e;
        }
        Assert.NotNull(caught);
        Assert.Contains($"part {throwing} failed", caught.Message);
        // No part is still running once Run has returned (a later part may not have started at all).
        int finished = Volatile.Read(ref state->Finished);
        Thread.Sleep(50);
        Assert.Equal(finished, Volatile.Read(ref state->Finished));

        var healthy = new State { Throwing = -1 };
        WorkerPool.Shared.Run(3, &Part, &healthy);
        Assert.Equal(3, healthy.Finished);
    }
}
