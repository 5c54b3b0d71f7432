using NeuralML.Numerics;

namespace NeuralML.Training;

/// <summary>
/// Which rows training learns from and which it watches for overfitting: a given validation set, or a held-out
/// <see cref="TrainingSettings.ValidationFraction"/> of the training rows when early stopping is on (and that
/// leaves rows on both sides), or none.
/// </summary>
internal sealed class ValidationRows
{
    private ValidationRows(int[] trainingRows, ITrainingSet? set, int[] rows, bool heldOut)
    {
        IsHeldOut = heldOut;
        TrainingRows = trainingRows;
        Set = set;
        Rows = rows;
    }

    /// <summary>The rows of the training set that train: all of them in order, or, after a hold-out, the rest of the shuffled order.</summary>
    public int[] TrainingRows { get; }

    /// <summary>The set the watched rows come from; null when no rows are watched.</summary>
    public ITrainingSet? Set { get; }

    /// <summary>The watched rows of <see cref="Set"/>.</summary>
    public int[] Rows { get; }

    /// <summary>Whether the watched rows are held out of the training set (rather than a given validation set).</summary>
    public bool IsHeldOut { get; }

    /// <summary>
    /// Splits <paramref name="data"/>'s rows. A hold-out is a random sample drawn with <paramref name="random"/>, which
    /// is used only when rows are held out.
    /// </summary>
    /// <param name="data">The training set.</param>
    /// <param name="validation">Given validation rows, or null.</param>
    /// <param name="settings">The validation fraction and early stopping.</param>
    /// <param name="random">Draws the hold-out.</param>
    /// <param name="trainable">The rows of <paramref name="data"/> that may train, in order; null for all (cross-validation leaves a fold out).</param>
    public static ValidationRows Create(ITrainingSet data, ITrainingSet? validation, TrainingSettings settings, Xoshiro256StarStar random, int[]? trainable = null)
    {
        int[] order = trainable is null ? Enumerable.Range(0, data.RowCount).ToArray() : (int[])trainable.Clone();
        if (validation is not null) return new ValidationRows(order, validation, Enumerable.Range(0, validation.RowCount).ToArray(), heldOut: false);
        int heldOut = HeldOutCount(order.Length, settings);
        if (heldOut == 0) return new ValidationRows(order, null, [], heldOut: false);
        random.Shuffle(order);
        // A hold-out must not take every row of a class away from training (two rows, one of each, say): then every
        // row trains and none is watched.
        if (IsClassification(settings.Loss) && TakesAClassAway(data, order, heldOut))
            return new ValidationRows(order, null, [], heldOut: false);
        return new ValidationRows(order[..^heldOut], data, order[^heldOut..], heldOut: true);
    }

    /// <summary>
    /// The rows held out for early stopping: the validation fraction of the data, if that leaves rows on both sides and
    /// at least as many to train on as are held out (never most of the data).
    /// </summary>
    private static int HeldOutCount(int rowCount, TrainingSettings settings)
    {
        if (settings.ValidationFraction <= 0f || settings.EarlyStoppingRounds is not > 0) return 0;
        int count = (int)Math.Ceiling(rowCount * (double)settings.ValidationFraction);
        return count >= 1 && count <= rowCount - count ? count : 0;
    }

    private static bool IsClassification(LossKind loss) => loss is LossKind.BinaryCrossEntropy or LossKind.SparseCategoricalCrossEntropy;

    /// <summary>Whether some class of the rows in <paramref name="order"/> occurs only among its last <paramref name="heldOut"/> rows.</summary>
    private static bool TakesAClassAway(ITrainingSet data, int[] order, int heldOut)
    {
        var target = new float[1];
        var weight = new float[1];
        var training = new HashSet<float>();
        for (int i = 0; i < order.Length; i++)
        {
            data.CopyRows(order.AsSpan(i, 1), [], target, weight);
            if (i < order.Length - heldOut) training.Add(target[0]);
            else if (!training.Contains(target[0])) return true;
        }
        return false;
    }
}
