namespace NeuralML.Training;

/// <summary>
/// Watches the validation loss epoch by epoch, keeps a copy of the parameters of the best epoch, and says when to
/// stop: after <c>patience</c> epochs without improvement, where on small data the patience is stretched so that at
/// least <see cref="MinimumPatienceSteps"/> optimizer steps pass (an epoch there is a handful of steps, and the
/// validation loss is noisy early on).
/// </summary>
internal sealed class EarlyStopping
{
    /// <summary>Early stopping waits at least this many optimizer steps without improvement.</summary>
    public const int MinimumPatienceSteps = 300;

    private readonly float[] _bestParameters;
    private double _bestLoss = double.PositiveInfinity;

    /// <param name="rounds">Epochs without improvement before stopping (at least 1).</param>
    /// <param name="batchesPerEpoch">Optimizer steps per epoch.</param>
    /// <param name="parameters">The parameters before training: kept if no epoch ever improves on an infinite loss.</param>
    public EarlyStopping(int rounds, int batchesPerEpoch, float[] parameters)
    {
        Patience = Math.Max(rounds, (MinimumPatienceSteps + batchesPerEpoch - 1) / batchesPerEpoch);
        _bestParameters = (float[])parameters.Clone();
    }

    /// <summary>Epochs without improvement before <see cref="ShouldStop"/> says so.</summary>
    public int Patience { get; }

    /// <summary>The epoch of the lowest validation loss so far (0 before any improvement).</summary>
    public int BestEpoch { get; private set; }

    /// <summary>Records an epoch's validation loss, copying the parameters when it is the best so far.</summary>
    public void Observe(int epoch, double validationLoss, float[] parameters)
    {
        if (!(validationLoss < _bestLoss)) return;
        _bestLoss = validationLoss;
        BestEpoch = epoch;
        parameters.CopyTo(_bestParameters, 0);
    }

    public bool ShouldStop(int epoch) => epoch - BestEpoch >= Patience;

    /// <summary>Puts the best epoch's parameters back.</summary>
    public void RestoreBest(float[] parameters) => _bestParameters.CopyTo(parameters, 0);
}
