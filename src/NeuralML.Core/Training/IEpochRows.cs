using NeuralML.Numerics;

namespace NeuralML.Training;

/// <summary>
/// The rows one epoch visits, as a sequence of windows of the training set the objective reads (their rows to step
/// through, in a shuffled order). In memory, one window of every training row; streamed, one per buffer-full of a pass.
/// </summary>
internal interface IEpochRows
{
    /// <summary>
    /// The windows of <paramref name="epoch"/>, each as its rows shuffled by <paramref name="random"/>; a window's rows
    /// are valid until the next window is asked for.
    /// </summary>
    IEnumerable<int[]> Windows(int epoch, Xoshiro256StarStar random);
}

/// <summary>Every training row of an in-memory set (their indices), in one window, reshuffled every epoch from the previous epoch's order.</summary>
internal sealed class InMemoryEpochRows(int[] rows) : IEpochRows
{
    public IEnumerable<int[]> Windows(int epoch, Xoshiro256StarStar random)
    {
        random.Shuffle(rows);
        yield return rows;
    }
}
