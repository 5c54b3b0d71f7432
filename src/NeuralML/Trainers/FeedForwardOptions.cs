using NeuralML.Training;

namespace NeuralML;

/// <summary>
/// Options shared by the three FeedForward trainers. Every property has a default that works on ordinary tabular
/// data, chosen by measurement (the README's quality table) from the number of training rows:
/// <list type="bullet">
/// <item><description>Under 3,000 rows and at most 1,000 features, with every training choice left null (<see cref="HiddenLayers"/>,
/// <see cref="Optimizer"/>, <see cref="LearningRate"/>, <see cref="LearningRateSchedule"/>, <see cref="WeightDecay"/>,
/// <see cref="EarlyStoppingRounds"/>, <see cref="Epochs"/>) and no validation data: 5-fold cross-validation chooses
/// among three recipes — one layer of 64 or layers [128, 64] trained with AdamW at 0.01 on a cosine schedule with
/// weight decay 1 for about 3,000 steps, or [128, 64] trained with Adam at 0.001 with early stopping — and the
/// chosen recipe's five networks (one per fold, together they saw every row) are averaged into the model. This
/// takes well under a second on such data.</description></item>
/// <item><description>From 3,000 rows: one network ([256, 128] up to 100,000 rows) trained on every row with AdamW
/// at 0.003 on a cosine schedule with weight decay 0.1 for about 20,000 steps.</description></item>
/// <item><description>Any option set by hand is kept; the others follow the rule of their own documentation.</description></item>
/// </list>
/// Features are standardised inside the trainer (and the transform folded into the first layer), so training does
/// not depend on how, or whether, they were normalised.
/// </summary>
public abstract class FeedForwardOptions
{
    private protected FeedForwardOptions()
    {
    }

    /// <summary>The label column. Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The feature column: a known-size vector of <see cref="float"/>, dense or sparse (use <c>Concatenate</c> for single columns). Default "Features".</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>An optional column of non-negative per-example weights (<see cref="float"/>). Default null: every row weighs 1.</summary>
    public string? ExampleWeightColumnName { get; set; }

    /// <summary>
    /// The width of each hidden layer, from input to output. Default null: chosen from the number of training rows by
    /// the usual sizing rule for tabular data — one layer of 64 units under 1,000 rows, [128, 64] under 3,000,
    /// [256, 128] under 100,000, four layers [256, 128, 64, 32] beyond (under 3,000 rows, when every training choice
    /// is left null, cross-validation chooses the recipe instead: see the class summary). Set by hand, the model is
    /// that network, layer for layer (no ensemble unless <see cref="EnsembleSize"/> asks for one). Add width or layers when the training loss stays high;
    /// regularise (<see cref="L2Regularization"/>, <see cref="DropoutRate"/>) when the held-out loss climbs while the
    /// training loss falls. An empty array gives a linear (or logistic/softmax) model.
    /// </summary>
    public int[]? HiddenLayers { get; set; }

    /// <summary>The activation of every hidden layer. Default <see cref="NeuralML.Activation.Relu"/>.</summary>
    public Activation Activation { get; set; } = TrainingDefaults.HiddenActivation;

    /// <summary>
    /// Passes over the training data. Default null: chosen from the data so that training takes about 20,000 optimizer
    /// steps from 3,000 rows (at least 10 and at most 200 epochs), and under 3,000 rows about 3,000 steps (at most 300
    /// epochs), or 2,000 (at most 200) with early stopping.
    /// </summary>
    public int? Epochs { get; set; }

    /// <summary>Rows per mini-batch (one optimizer step each). Default 32.</summary>
    public int BatchSize { get; set; } = TrainingDefaults.BatchSize;

    /// <summary>
    /// The optimizer's step size. Default null: for <see cref="OptimizerKind.AdamW"/> 0.01 under 3,000 training rows
    /// and 0.003 from there (the cosine schedule brings it down to 0); 0.001 for the other optimizers, right for
    /// Adam. SGD usually wants 0.01 to 0.1.
    /// </summary>
    public float? LearningRate { get; set; }

    /// <summary>
    /// How the learning rate changes over training. Default null: <see cref="NeuralML.LearningRateSchedule.CosineAnnealing"/>
    /// (training runs a fixed budget of <see cref="Epochs"/> and the rate reaches 0 at its end), or
    /// <see cref="NeuralML.LearningRateSchedule.Constant"/> for <see cref="OptimizerKind.Lbfgs"/>, which has no learning rate.
    /// </summary>
    public LearningRateSchedule? LearningRateSchedule { get; set; }

    /// <summary>
    /// The factor the rate is multiplied by in <see cref="NeuralML.LearningRateSchedule.StepDecay"/> (every
    /// <see cref="LearningRateDecayEpochs"/> epochs), <see cref="NeuralML.LearningRateSchedule.ExponentialDecay"/> (spread
    /// over them) and <see cref="NeuralML.LearningRateSchedule.ReduceOnPlateau"/> (at each plateau), in (0, 1). Default 0.1.
    /// </summary>
    public float LearningRateDecay { get; set; } = TrainingDefaults.LearningRateDecay;

    /// <summary>Epochs per decay of the step and exponential schedules. Default null: a third of the epochs.</summary>
    public int? LearningRateDecayEpochs { get; set; }

    /// <summary>Epochs of linear warm-up before <see cref="NeuralML.LearningRateSchedule.CosineAnnealing"/>'s cosine. Default 0.</summary>
    public int LearningRateWarmupEpochs { get; set; }

    /// <summary>
    /// Epochs without improvement of the validation loss before <see cref="NeuralML.LearningRateSchedule.ReduceOnPlateau"/>
    /// lowers the rate. Default 5, half of <see cref="EarlyStoppingRounds"/>, so that a lower rate is tried before
    /// training stops.
    /// </summary>
    public int LearningRatePatience { get; set; } = TrainingDefaults.LearningRatePatience;

    /// <summary>
    /// The optimizer. Default null: <see cref="OptimizerKind.AdamW"/>, whose decoupled weight decay regularises the
    /// fixed budget (under 3,000 rows cross-validation may choose Adam with early stopping instead).
    /// </summary>
    public OptimizerKind? Optimizer { get; set; }

    /// <summary>SGD's momentum, in [0, 1). Default 0.9. The other optimizers ignore it.</summary>
    public float Momentum { get; set; } = TrainingDefaults.Momentum;

    /// <summary>Whether SGD uses Nesterov momentum. Default false.</summary>
    public bool UseNesterovMomentum { get; set; }

    /// <summary>L2 penalty λ on the weights (not the biases): λ·w is added to each weight's gradient. Default 0.</summary>
    public float L2Regularization { get; set; }

    /// <summary>
    /// L1 penalty λ₁ on the weights (not the biases): λ₁·sign(w) is added to each weight's gradient, which drives weights
    /// of useless inputs to zero. Default 0.
    /// </summary>
    public float L1Regularization { get; set; }

    /// <summary>
    /// Decoupled weight decay λ, as AdamW applies it (Loshchilov and Hutter 2019; PyTorch's <c>AdamW(weight_decay)</c>):
    /// before each update every weight (not the biases) is multiplied by 1 − η·λ, with η the step's learning rate. It
    /// applies to every optimizer; unlike <see cref="L2Regularization"/> it is not scaled by Adam's per-parameter steps.
    /// Default null: for <see cref="OptimizerKind.AdamW"/> 1 under 3,000 training rows (few rows are easily memorised)
    /// and 0.1 from there; 0 for the other optimizers.
    /// </summary>
    public float? WeightDecay { get; set; }

    /// <summary>
    /// The largest 2-norm the gradient of all parameters together may have: a larger one is scaled down to it before
    /// the update (PyTorch's <c>clip_grad_norm_</c>, Keras' <c>global_clipnorm</c>). Default null: no clipping.
    /// </summary>
    public float? GradientClipNorm { get; set; }

    /// <summary>
    /// Batch normalisation (Ioffe and Szegedy 2015; Keras' <c>BatchNormalization</c>, PyTorch's <c>BatchNorm1d</c>) after
    /// each hidden dense layer, before its activation: while training, each unit is normalised with the batch's mean
    /// and variance and then scaled and shifted by a learned γ and β; running estimates of the mean and variance
    /// (momentum 0.1 and ε = 1e-5, PyTorch's defaults) serve evaluation mode, for the validation loss. When training
    /// ends the normalisation is folded into the dense layer's weights and bias, so scoring, Save/Load and ONNX cost
    /// nothing extra. It often allows larger learning rates in deep networks. Does not combine with
    /// <see cref="OptimizerKind.Lbfgs"/>. Default false.
    /// </summary>
    public bool BatchNormalization { get; set; }

    /// <summary>The fraction of hidden units dropped at random in each training step (inverted dropout, off at prediction). Default 0.</summary>
    public float DropoutRate { get; set; }

    /// <summary>
    /// The fraction of training rows held out to detect overfitting when <see cref="EarlyStoppingRounds"/> is set
    /// without validation data, in [0, 1). Default 0.1. Training stops when the held-out loss has not improved for
    /// <see cref="EarlyStoppingRounds"/> epochs, and the model keeps the weights of its best epoch. 0 trains on every
    /// row for all <see cref="Epochs"/>. Rows are held out only for early stopping: without it (the default), or with
    /// validation data given to <c>Fit(train, validation)</c>, every training row trains and this fraction is not used
    /// (the log says so).
    /// </summary>
    public float ValidationFraction { get; set; } = TrainingDefaults.ValidationFraction;

    /// <summary>
    /// Epochs without improvement of the held-out loss before training stops; 0 turns early stopping off. Default null:
    /// 10 when validation data is given to <c>Fit(train, validation)</c>; otherwise off, and every row trains for the
    /// fixed budget of <see cref="Epochs"/> (on small data a hold-out is too small to judge an epoch by; on large data
    /// the cosine schedule and weight decay measured better than stopping on 10% held out).
    /// </summary>
    public int? EarlyStoppingRounds { get; set; }

    /// <summary>
    /// How many networks to train, each from its own seed, and average: their mean logit is the prediction. The
    /// ensemble is folded into one network (its members side by side in each layer), so scoring, Save/Load and ONNX
    /// treat it as any network; the members train in parallel. An ensemble is steadier from split to split and
    /// usually more accurate than any of its members. Default null: 5 under 3,000 training rows with at most 1,000
    /// features (where a network trains in a fraction of a second) when <see cref="HiddenLayers"/> is null too, else 1. The training history,
    /// kept epoch and diagnosis are the first network's. Continued training (<c>Fit(train, model)</c>) trains the one
    /// network it is given.
    /// </summary>
    public int? EnsembleSize { get; set; }

    /// <summary>
    /// The seed of the weight initialisation, the shuffles and dropout. Default null: drawn from the <c>MLContext</c>'s
    /// random source when the trainer is created, as ML.NET's own trainers do, so <c>new MLContext(seed: 1)</c> gives
    /// reproducible models. The same data, options and seed always give the same model, bit for bit.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>
    /// The most threads the dense-layer kernels may use, in training and when the trained model scores in this process.
    /// Default null: all cores. Results do not depend on it: work is split in a fixed way and every value is summed in
    /// the same order at any thread count. It is not saved with the model (it belongs to the machine that scores); set
    /// <see cref="FeedForwardModelParameters.NumberOfThreads"/> on a loaded model instead.
    /// </summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>
    /// The most memory, in megabytes, the training data may take in memory. Data that fits (rows × (features + 2) × 4
    /// bytes) is copied into memory once and every epoch shuffles all of it. Data that does not is streamed: every
    /// epoch reads the view again with a new cursor, in an order the view draws from the seed when it can shuffle (an
    /// ML.NET cache, a binary <c>.idv</c> file; a text file is read in file order), through a shuffle buffer of half the
    /// budget whose rows are shuffled before they train; early stopping's held-out rows (at most a quarter of the budget)
    /// stay in memory. Default null: a quarter of the memory this process may use (the machine's, or its container's
    /// limit). The network and its optimizer's state come on top. See the README's "Memory budget and streaming".
    /// </summary>
    public int? MemoryBudgetMegabytes { get; set; }

    /// <summary>
    /// Called after each epoch with its report (losses, validation metric, learning rate, time), on the training thread:
    /// return true to go on, false to end training after this epoch (the model then keeps the best epoch so far, as
    /// with early stopping). Keras' callbacks and PyTorch's loop both offer this. Default null. Not saved with the model.
    /// </summary>
    public Func<FeedForwardEpoch, bool>? Progress { get; set; }

    /// <summary>
    /// Stops training within one batch when cancelled: <c>Fit</c> then throws <see cref="OperationCanceledException"/>.
    /// <c>MLContext.CancelExecution</c> stops it the same way. Default: none.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// These options as training settings, checked: every range rule is <see cref="TrainingSettings.Validate"/>'s, and
    /// its exceptions name the option. Called when the trainer is created and again at <c>Fit</c>, since options are
    /// a mutable object a caller may change in between.
    /// </summary>
    /// <exception cref="ArgumentException">A column name is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    internal TrainingSettings ToSettings(LossKind loss, long seed)
    {
        ArgumentException.ThrowIfNullOrEmpty(LabelColumnName, nameof(LabelColumnName));
        ArgumentException.ThrowIfNullOrEmpty(FeatureColumnName, nameof(FeatureColumnName));
        if (ExampleWeightColumnName is "") throw new ArgumentException("Use null, not an empty name, for no weight column.", nameof(ExampleWeightColumnName));
        var settings = new TrainingSettings
        {
            Loss = loss,
            HiddenLayers = HiddenLayers is { } hidden ? (int[])hidden.Clone() : null,
            Activation = Activation,
            Epochs = Epochs,
            BatchSize = BatchSize,
            LearningRate = LearningRate,
            LearningRateSchedule = LearningRateSchedule,
            LearningRateDecay = LearningRateDecay,
            LearningRateDecayEpochs = LearningRateDecayEpochs,
            LearningRateWarmupEpochs = LearningRateWarmupEpochs,
            LearningRatePatience = LearningRatePatience,
            Optimizer = Optimizer,
            Momentum = Momentum,
            UseNesterovMomentum = UseNesterovMomentum,
            L2Regularization = L2Regularization,
            L1Regularization = L1Regularization,
            WeightDecay = WeightDecay,
            GradientClipNorm = GradientClipNorm,
            DropoutRate = DropoutRate,
            BatchNormalization = BatchNormalization,
            ValidationFraction = ValidationFraction,
            EarlyStoppingRounds = EarlyStoppingRounds,
            EnsembleSize = EnsembleSize,
            Seed = seed,
            NumberOfThreads = NumberOfThreads,
        };
        if (MemoryBudgetMegabytes is <= 0)
            throw new ArgumentOutOfRangeException(nameof(MemoryBudgetMegabytes), MemoryBudgetMegabytes, "MemoryBudgetMegabytes must be positive (or null for a quarter of the memory available).");
        settings = WithTaskSettings(settings);
        settings.Validate();
        return settings;
    }

    /// <summary>Adds the settings only a task's options have.</summary>
    private protected virtual TrainingSettings WithTaskSettings(TrainingSettings settings) => settings;
}
