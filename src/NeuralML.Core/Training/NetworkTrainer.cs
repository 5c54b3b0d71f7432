using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;

namespace NeuralML.Training;

/// <summary>
/// Trains a <see cref="FeedForwardNetwork"/>: builds and initialises it, standardises the data, splits off the rows
/// to watch, runs the <see cref="EpochLoop"/> with the chosen optimizer, restores the best epoch and folds the
/// standardisation into the network. Every random choice (initial weights, hold-out, shuffles, dropout) comes from
/// one generator seeded by <see cref="TrainingSettings.Seed"/>, in a fixed order, so a seed decides the network.
/// </summary>
internal sealed class NetworkTrainer
{
    /// <summary>Rows a full-batch evaluation reads at a time (its buffers' size).</summary>
    private const int FullBatchChunkRows = 1024;

    private readonly TrainingSettings _settings;
    private readonly DenseKernels _kernels;

    public NetworkTrainer(TrainingSettings settings, DenseKernels? kernels = null)
    {
        settings.Validate();
        _settings = settings;
        _kernels = kernels ?? (settings.NumberOfThreads is int threads ? DenseKernels.Create(threads) : DenseKernels.Default);
    }

    /// <summary>
    /// Trains a new network with <paramref name="outputs"/> logits per row: one network, or an ensemble of
    /// <see cref="TrainingSettings.EnsembleSize"/> trained alike from different seeds (member m's initial weights,
    /// hold-out, shuffles and dropout come from <see cref="MemberSeed"/>) and folded into one network that outputs the
    /// mean of their logits (<see cref="EnsembleFolding"/>). The members train in parallel; each is the same whichever
    /// thread trains it, so the ensemble does not depend on the thread count either.
    /// </summary>
    /// <param name="data">The training rows.</param>
    /// <param name="outputs">Logits per row.</param>
    /// <param name="validation">
    /// Rows to watch for overfitting instead of holding out <see cref="TrainingSettings.ValidationFraction"/> of
    /// <paramref name="data"/>; early stopping uses them when <see cref="TrainingSettings.EarlyStoppingRounds"/> is positive.
    /// </param>
    /// <param name="progress">
    /// Called after every epoch of every member (one call at a time; <see cref="EpochReport.Member"/> says which);
    /// returning false ends training after that epoch (every member keeps its best epoch, as early stopping does).
    /// </param>
    /// <param name="cancellation">Checked before every batch.</param>
    /// <param name="initial">
    /// A trained network to continue from (not changed: training works on a copy) instead of a new one; its layers
    /// replace <see cref="TrainingSettings.HiddenLayers"/> and <see cref="TrainingSettings.Activation"/>. The optimizer
    /// starts afresh, and the network trains alone (an ensemble of one).
    /// </param>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite (training diverged).</exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested.</exception>
    public TrainingResult Train(ITrainingSet data, int outputs, ITrainingSet? validation = null, Func<EpochReport, bool>? progress = null,
        TrainingCancellation cancellation = default, FeedForwardNetwork? initial = null)
    {
        if (data.RowCount == 0) throw new ArgumentException("The training set has no rows.", nameof(data));
        if (validation is not null && (validation.FeatureCount != data.FeatureCount || validation.TargetWidth != data.TargetWidth))
            throw new ArgumentException("The validation rows do not have the training rows' shape.", nameof(validation));
        if (!IsSparse(data)) validation = Densified(validation);
        TrainingSettings settings = _settings.ForRows(data.RowCount, validation is not null, data.FeatureCount);
        if (initial is not null && (initial.InputCount != data.FeatureCount || initial.OutputCount != outputs))
            throw new ArgumentException($"The initial network reads {initial.InputCount} features and has {initial.OutputCount} outputs; the data has {data.FeatureCount} features and needs {outputs}.", nameof(initial));
        int members = initial is null ? settings.EnsembleSize!.Value : 1;

        LossHead head = LossHead.Create(settings.Loss, settings.LabelSmoothing);
        int targetWidth = head.TargetWidth(outputs);
        if (targetWidth != data.TargetWidth)
            throw new ArgumentException($"The loss needs {targetWidth} target values per row; the data has {data.TargetWidth}.", nameof(data));
        Standardizer standardizer = Standardizer.Fit(data, settings);
        FeedForwardNetwork? start = initial?.Clone();
        if (start is not null) standardizer.UnfoldFrom(start);
        var shared = new SharedData(data, validation, outputs, head, standardizer, standardizer.StandardizeInPlaceIfOwned(data, settings.NumberOfThreads ?? Environment.ProcessorCount));
        shared.StandardizeValidationBatches = validation is null ? shared.StandardizeTrainingBatches : standardizer.StandardizeInPlaceIfOwned(validation);
        double constantLoss = ConstantPrediction.Loss(data, head, standardizer, outputs);

        if (initial is null && _settings.ChoosesRecipe(data.RowCount, validation is not null, data.FeatureCount))
            return CrossValidateRecipes(settings, shared, constantLoss, progress, cancellation);
        MemberResult[] runs = members == 1
            ? [TrainMember(new MemberJob(settings, 0, 0), shared, start, progress, cancellation, _kernels, settings.NumberOfThreads ?? Environment.ProcessorCount)]
            : TrainMembers(settings, Enumerable.Range(0, members).Select(m => new MemberJob(settings, m, m)).ToArray(), shared, progress, cancellation);
        return Finish(settings, runs, shared, constantLoss, selection: null);
    }

    /// <summary>
    /// Trains a new network on rows streamed from <paramref name="stream"/>, one pass per epoch, holding at most
    /// <paramref name="windowRows"/> training rows in memory at a time (see <see cref="StreamedEpochRows"/>). A survey
    /// pass first (<see cref="StreamSurvey"/>) counts the rows, fits the standardisation and holds rows out for early
    /// stopping (at most <paramref name="heldOutCapacity"/>) when no validation rows are given. Members of an ensemble
    /// train one after another, each with every thread. The automatic choices are made for the row count as in memory,
    /// without the small-data recipe choice; L-BFGS (full batch) cannot stream.
    /// </summary>
    /// <exception cref="InvalidOperationException">The optimizer is L-BFGS, the stream has no rows, or training diverged.</exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested.</exception>
    /// <param name="stream">The training rows.</param>
    /// <param name="outputs">Logits per row.</param>
    /// <param name="windowRows">Rows the shuffle buffer holds.</param>
    /// <param name="heldOutCapacity">The most rows held out for early stopping.</param>
    /// <param name="validation">Rows to watch instead of held-out ones.</param>
    /// <param name="surveyed">Called after the survey with it and the settings chosen for its row count (before any epoch).</param>
    /// <param name="progress">Called after every epoch of every member.</param>
    /// <param name="cancellation">Checked while reading and before every batch.</param>
    public TrainingResult Train(IRowStream stream, int outputs, int windowRows, int heldOutCapacity, ITrainingSet? validation = null,
        Action<StreamSurvey, TrainingSettings>? surveyed = null, Func<EpochReport, bool>? progress = null, TrainingCancellation cancellation = default)
    {
        if (_settings.Optimizer == OptimizerKind.Lbfgs)
            throw new InvalidOperationException("Optimizer L-BFGS takes every row in each step and cannot train on streamed rows: choose a mini-batch optimizer, or raise the memory budget so that the data is held in memory.");
        if (validation is not null && (validation.FeatureCount != stream.FeatureCount || validation.TargetWidth != stream.TargetWidth))
            throw new ArgumentException("The validation rows do not have the training rows' shape.", nameof(validation));
        // Streamed rows are dense.
        validation = Densified(validation);
        LossHead head = LossHead.Create(_settings.Loss, _settings.LabelSmoothing);
        if (head.TargetWidth(outputs) != stream.TargetWidth)
            throw new ArgumentException($"The loss needs {head.TargetWidth(outputs)} target values per row; the data has {stream.TargetWidth}.", nameof(stream));
        bool holdOut = validation is null && _settings.EarlyStoppingRounds is > 0 && _settings.ValidationFraction > 0f;
        StreamSurvey survey = StreamSurvey.Run(stream, _settings, holdOut ? _settings.ValidationFraction : 0, heldOutCapacity, windowRows, cancellation);
        if (survey.TrainingRows == 0) throw new InvalidOperationException("The training data is empty: a FeedForward trainer needs at least one row.");
        ITrainingSet? watched = validation ?? survey.HeldOut;
        int rows = (int)Math.Min(survey.TrainingRows, int.MaxValue);
        TrainingSettings settings = _settings.ForRows(rows, watched is not null, stream.FeatureCount);
        surveyed?.Invoke(survey, settings);
        Standardizer standardizer = survey.Standardizer;
        var window = new StreamedEpochRows(stream, windowRows, survey.TrainingRows, survey.HeldOutIds, MemberSeed(settings.Seed, 0), cancellation);
        var shared = new SharedData(window, watched, outputs, head, standardizer, StandardizeTrainingBatches: standardizer.StandardizesFeatures)
        {
            StandardizeValidationBatches = watched is null ? standardizer.StandardizesFeatures : standardizer.StandardizeInPlaceIfOwned(watched),
        };
        double constantLoss = ConstantPrediction.Loss(survey.SampleTargets, survey.SampleWeights, survey.SampleRows, head, standardizer, outputs);
        int threads = settings.NumberOfThreads ?? Environment.ProcessorCount;
        var runs = new MemberResult[settings.EnsembleSize!.Value];
        for (int m = 0; m < runs.Length; m++)
            runs[m] = TrainMember(new MemberJob(settings, m, m), shared, null, progress, cancellation, _kernels, threads, window);
        return Finish(settings, runs, shared, constantLoss, selection: null);
    }

    /// <summary>Folds the members into one network that reads raw features; the first member's history stands for the ensemble's (its members train alike, on data of the same size).</summary>
    private static TrainingResult Finish(TrainingSettings settings, MemberResult[] runs, SharedData shared, double constantLoss, RecipeSelection? selection)
    {
        FeedForwardNetwork network = runs.Length == 1 ? runs[0].Network : EnsembleFolding.Fold(runs.Select(r => r.Network).ToArray());
        shared.Standardizer.FoldInto(network);
        MemberResult first = runs[0];
        return new TrainingResult(network, first.History, first.Kept, TrainingDiagnosis.Of(first.History, first.Kept, constantLoss), ValidationMetric.NameOf(settings.Loss),
            first.Converged, runs.Length) { Selection = selection };
    }

    /// <summary>
    /// Chooses the recipe by k-fold cross-validation, k the ensemble's size: every recipe trains one network per fold
    /// on the other folds' rows (the same seed for the same fold, so that the recipes differ only in what they choose),
    /// the recipe with the lowest loss on the left-out rows wins, and its k networks, which together saw every row,
    /// are the ensemble. No network is trained twice.
    /// </summary>
    private TrainingResult CrossValidateRecipes(TrainingSettings defaults, SharedData shared, double constantLoss, Func<EpochReport, bool>? progress, TrainingCancellation cancellation)
    {
        int rows = shared.Data.RowCount, folds = defaults.EnsembleSize!.Value;
        IReadOnlyList<Recipe> recipes = TrainingDefaults.SmallDataRecipes;
        int[] foldOf = FoldOf(rows, folds, defaults.Seed);
        int[][] trainable = Enumerable.Range(0, folds).Select(f => Enumerable.Range(0, rows).Where(r => foldOf[r] != f).ToArray()).ToArray();
        int[][] leftOut = Enumerable.Range(0, folds).Select(f => Enumerable.Range(0, rows).Where(r => foldOf[r] == f).ToArray()).ToArray();
        TrainingSettings[] settings = recipes.Select(r => r.Apply(_settings, trainable[0].Length)).ToArray();
        var jobs = new MemberJob[recipes.Count * folds];
        for (int c = 0; c < recipes.Count; c++)
            for (int f = 0; f < folds; f++)
                jobs[c * folds + f] = new MemberJob(settings[c], c * folds + f, f, trainable[f], leftOut[f]);
        MemberResult[] runs = TrainMembers(defaults, jobs, shared, progress, cancellation);
        var losses = new double[recipes.Count];
        for (int c = 0; c < recipes.Count; c++)
        {
            double sum = 0, weight = 0;
            for (int f = 0; f < folds; f++)
            {
                sum += runs[c * folds + f].LeftOutLoss;
                weight += runs[c * folds + f].LeftOutWeight;
            }
            losses[c] = weight > 0 ? sum / weight : double.PositiveInfinity;
        }
        int chosen = 0;
        for (int c = 1; c < losses.Length; c++)
            if (losses[c] < losses[chosen]) chosen = c;
        var selection = new RecipeSelection(recipes.Select(r => r.Name).ToArray(), losses, chosen, folds);
        return Finish(settings[chosen], runs.Skip(chosen * folds).Take(folds).ToArray(), shared, constantLoss, selection);
    }

    /// <summary>Each row's fold: a shuffled round-robin, so the folds differ in size by at most one row.</summary>
    private static int[] FoldOf(int rows, int folds, long seed)
    {
        var order = Enumerable.Range(0, rows).ToArray();
        new Xoshiro256StarStar(unchecked(seed ^ FoldSeedSalt)).Shuffle(order);
        var foldOf = new int[rows];
        for (int i = 0; i < rows; i++) foldOf[order[i]] = i % folds;
        return foldOf;
    }

    private static bool IsSparse(ITrainingSet set) => set is InMemoryTrainingSet { Sparse: not null };

    /// <summary>
    /// Validation rows for dense training rows: sparse rows are scaled without centring, so dense training data's
    /// standardisation needs them dense.
    /// </summary>
    private static ITrainingSet? Densified(ITrainingSet? validation) => validation is InMemoryTrainingSet { Sparse: not null } sparse ? sparse.ToDense() : validation;

    /// <summary>Keeps the folds' shuffle apart from every member's generator.</summary>
    private const long FoldSeedSalt = 0x5DEECE66DL;

    /// <summary>What every member reads: the (standardised) rows, the loss and the standardisation.</summary>
    private sealed record SharedData(ITrainingSet Data, ITrainingSet? Validation, int Outputs, LossHead Head, Standardizer Standardizer, bool StandardizeTrainingBatches)
    {
        public bool StandardizeValidationBatches { get; set; }
    }

    private sealed record MemberResult(FeedForwardNetwork Network, List<EpochReport> History, int Kept, bool Converged, double LeftOutLoss = 0, double LeftOutWeight = 0);

    /// <summary>
    /// One network to train: its settings, its index in the run (for progress reports), its seed's member index, and
    /// for cross-validation the rows it may train on and the rows it is judged on afterwards.
    /// </summary>
    private sealed record MemberJob(TrainingSettings Settings, int Index, int SeedIndex, int[]? Trainable = null, int[]? LeftOut = null);

    /// <summary>
    /// Member <paramref name="member"/>'s seed: the run's own for the first, so that an ensemble of one is the single
    /// network; a golden-ratio stride for the others.
    /// </summary>
    public static long MemberSeed(long seed, int member) => member == 0 ? seed : unchecked(seed ^ (long)((ulong)member * 0x9E3779B97F4A7C15UL));

    /// <summary>Trains the members on up to <see cref="TrainingSettings.NumberOfThreads"/> threads at once, reporting one epoch at a time.</summary>
    private MemberResult[] TrainMembers(TrainingSettings settings, MemberJob[] jobs, SharedData shared, Func<EpochReport, bool>? progress, TrainingCancellation cancellation)
    {
        var runs = new MemberResult[jobs.Length];
        var failures = new Exception?[jobs.Length];
        var reporting = new object();
        bool stopped = false;
        Func<EpochReport, bool>? serialized = progress is null ? null : report =>
        {
            lock (reporting)
            {
                if (!stopped && !progress(report)) stopped = true;
                return !stopped;
            }
        };
        int threads = settings.NumberOfThreads ?? Environment.ProcessorCount;
        int parallel = Math.Max(1, Math.Min(jobs.Length, threads));
        // Members side by side share the cores: each one's kernels get its share of the threads (the worker pool's
        // spinning threads would otherwise compete with the other members for them).
        int threadsPerMember = Math.Max(1, threads / parallel);
        DenseKernels kernels = _kernels.WithThreads(threadsPerMember);
        Parallel.For(0, jobs.Length, new ParallelOptions { MaxDegreeOfParallelism = parallel }, m =>
        {
            try
            {
                runs[m] = TrainMember(jobs[m], shared, null, serialized, cancellation, kernels, threadsPerMember);
            }
            catch (Exception e)
            {
                failures[m] = e;
            }
        });
        // The first member's failure, whichever thread saw it first, so that the same run fails the same way.
        if (failures.FirstOrDefault(f => f is not null) is Exception failure) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        return runs;
    }

    /// <summary>
    /// Trains one network: builds and initialises it (or copies <paramref name="start"/>), splits off the rows to watch,
    /// runs the <see cref="EpochLoop"/> and restores the best epoch. Every random choice comes from one generator seeded
    /// by <see cref="MemberSeed"/>, in a fixed order.
    /// </summary>
    /// <remarks>
    /// With <c>streamed</c> (streaming training's epochs), the epochs read the stream; without it, the rows of
    /// <see cref="SharedData.Data"/> in memory.
    /// </remarks>
    private MemberResult TrainMember(MemberJob job, SharedData shared, FeedForwardNetwork? start,
        Func<EpochReport, bool>? progress, TrainingCancellation cancellation, DenseKernels kernels, int threads, StreamedEpochRows? streamed = null)
    {
        TrainingSettings settings = job.Settings;
        var random = new Xoshiro256StarStar(MemberSeed(settings.Seed, job.SeedIndex));
        ITrainingSet data = shared.Data;
        FeedForwardNetwork network = start ?? new FeedForwardNetwork(data.FeatureCount, settings.HiddenLayers!, settings.Activation, shared.Outputs, settings.BatchNormalization);
        if (start is null) network.Initialize(random);
        ValidationRows watched = ValidationRows.Create(data, shared.Validation, settings, random, job.Trainable);

        IOptimizer optimizer = Optimizers.Create(settings, network.Parameters.Length, threads);
        // A full-batch method (L-BFGS) takes every training row per step, read in chunks of at most FullBatchChunkRows.
        bool fullBatch = optimizer.IsFullBatch;
        int trainingRows = streamed is { } s ? (int)Math.Min(s.TrainingRows, int.MaxValue) : watched.TrainingRows.Length;
        IEpochRows epochRows = streamed ?? (IEpochRows)new InMemoryEpochRows(watched.TrainingRows);
        int batchSize = fullBatch ? trainingRows : Math.Min(settings.BatchSize, trainingRows);
        int bufferRows = fullBatch ? Math.Min(FullBatchChunkRows, trainingRows) : batchSize;
        int targetWidth = shared.Head.TargetWidth(shared.Outputs);
        bool sparseData = IsSparse(data), sparseValidation = shared.Validation is null ? sparseData : IsSparse(shared.Validation);
        var batch = new BatchBuffers(bufferRows, data.FeatureCount, targetWidth, shared.Outputs, data.HasWeights || shared.Validation?.HasWeights == true,
            dense: !sparseData || !sparseValidation, sparse: sparseData || sparseValidation);
        IHiddenLayerPart[] trainingParts = settings.DropoutRate > 0f ? [new Dropout(settings.DropoutRate, random)] : [];
        var objective = new TrainingObjective(network, shared.Head, kernels, data, batch, shared.Standardizer, shared.StandardizeTrainingBatches,
            new Regularization(settings.L2Regularization, settings.L1Regularization, settings.GradientClipNorm), trainingParts)
        {
            LazySparseUpdates = !fullBatch,
        };
        // A full-batch step is not noisy: early stopping needs no minimum number of steps then.
        EarlyStopping? earlyStopping = watched.Rows.Length > 0 && settings.EarlyStoppingRounds is int rounds && rounds > 0
            ? new EarlyStopping(rounds, fullBatch ? EarlyStopping.MinimumPatienceSteps : (trainingRows + batchSize - 1) / batchSize, network.Parameters)
            : null;

        ILearningRateSchedule schedule = LearningRateSchedules.Create(settings, (trainingRows + batchSize - 1) / batchSize);
        var loop = new EpochLoop(objective, optimizer, schedule, epochRows, watched, shared.StandardizeValidationBatches, earlyStopping, random);
        int index = job.Index;
        Func<EpochReport, bool>? report = progress is null ? null : index == 0 ? progress : r => progress(r with { Member = index });
        List<EpochReport> history = loop.Run(settings.Epochs!.Value, batchSize, cancellation, report);
        earlyStopping?.RestoreBest(network.Parameters);
        (double leftOutLoss, double leftOutWeight, _) = job.LeftOut is { } leftOut ? objective.Loss(data, leftOut, shared.StandardizeTrainingBatches) : default;
        if (network.HasBatchNormalization) network = network.FoldBatchNormalization();
        return new MemberResult(network, history, earlyStopping?.BestEpoch ?? history.Count, optimizer.Converged, leftOutLoss, leftOutWeight);
    }
}
