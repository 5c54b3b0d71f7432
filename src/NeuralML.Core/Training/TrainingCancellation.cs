namespace NeuralML.Training;

/// <summary>
/// The one way training is stopped from outside, checked before every batch: a <see cref="CancellationToken"/>, and
/// a flag a host can only poll (ML.NET's <c>MLContext.CancelExecution</c> sets one).
/// </summary>
internal readonly struct TrainingCancellation(CancellationToken token, Func<bool>? isCanceled = null)
{
    public static TrainingCancellation None => default;

    /// <exception cref="OperationCanceledException">Cancellation was requested.</exception>
    public void ThrowIfRequested()
    {
        token.ThrowIfCancellationRequested();
        if (isCanceled?.Invoke() == true) throw new OperationCanceledException("Training was cancelled.");
    }
}
