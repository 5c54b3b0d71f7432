using System.Reflection;
using NeuralML.Training;

namespace NeuralML.Tests.Training;

/// <summary>
/// <see cref="TrainingDefaults"/>: the ML.NET options and <see cref="TrainingSettings"/> start from the same (documented)
/// defaults, <see cref="FeedForwardOptions.ToSettings"/> carries every option to the setting of the same name and
/// names the option when one is out of range, and the sizing rules for hidden layers and epochs hold at their
/// boundaries.
/// </summary>
public class TrainingDefaultsTests
{
    /// <summary>The values are those the options' documentation promises, written out here.</summary>
    [Fact]
    public void SettingsAndOptionsShareTheDocumentedDefaults()
    {
        var settings = new TrainingSettings { Loss = LossKind.BinaryCrossEntropy };
        var options = new FeedForwardBinaryTrainer.Options();

        Assert.Equal(Activation.Relu, settings.Activation);
        Assert.Equal(Activation.Relu, options.Activation);
        Assert.Equal(32, settings.BatchSize);
        Assert.Equal(32, options.BatchSize);
        Assert.Equal(1e-3f, settings.LearningRate);
        Assert.Null(options.LearningRate);
        Assert.Equal(OptimizerKind.Adam, settings.Optimizer);
        Assert.Null(options.Optimizer);
        Assert.Equal(0.9f, settings.Momentum);
        Assert.Equal(0.9f, options.Momentum);
        Assert.Equal(0.1f, settings.ValidationFraction);
        Assert.Equal(0.1f, options.ValidationFraction);
        Assert.Equal(10, settings.EarlyStoppingRounds);
        Assert.Null(options.EarlyStoppingRounds);
        Assert.Equal(1, settings.EnsembleSize);
        Assert.Null(options.EnsembleSize);
        Assert.Null(options.LearningRateSchedule);
        Assert.Null(options.WeightDecay);
        Assert.Null(settings.HiddenLayers);
        Assert.Null(options.HiddenLayers);
        Assert.Null(settings.Epochs);
        Assert.Null(options.Epochs);
        Assert.False(settings.UseNesterovMomentum);
        Assert.False(options.UseNesterovMomentum);
        Assert.Equal(0f, settings.L2Regularization);
        Assert.Equal(0f, options.L2Regularization);
        Assert.Equal(0f, settings.DropoutRate);
        Assert.Equal(0f, options.DropoutRate);
        Assert.Null(settings.NumberOfThreads);
        Assert.Null(options.NumberOfThreads);
    }

    /// <summary>
    /// Every option that has a setting of the same name starts with that setting's default (found by reflection, so a
    /// new pair is covered too), except the automatic ones: those options are null (their rules are tested below).
    /// </summary>
    [Fact]
    public void EverySharedPropertyHasTheSameDefault()
    {
        var settings = new TrainingSettings { Loss = LossKind.SparseCategoricalCrossEntropy };
        var options = new FeedForwardMulticlassTrainer.Options();
        string[] automatic = ["LearningRate", "LearningRateSchedule", "Optimizer", "WeightDecay", "EarlyStoppingRounds", "EnsembleSize", "HiddenLayers", "Epochs"];

        foreach (string name in SharedNames().Where(name => name != nameof(TrainingSettings.Seed)))
        {
            if (!automatic.Contains(name))
                Assert.True(Equal(Value(options, name), Value(settings, name)), $"{name}: option {Value(options, name)}, setting {Value(settings, name)}.");
            else
                Assert.Null(Value(options, name));
        }
        Assert.Contains("EnsembleSize", SharedNames());
    }

    /// <summary>
    /// Every option set away from its default, to values no two of which could be swapped unnoticed: each must arrive
    /// in the setting of the same name. The shared names are found by reflection and must include the known ones, so
    /// the check neither misses a new option nor passes by checking nothing.
    /// </summary>
    [Fact]
    public void ToSettingsMapsEveryOptionToTheSettingOfTheSameName()
    {
        var options = new FeedForwardMulticlassTrainer.Options
        {
            HiddenLayers = [7, 5],
            Activation = Activation.Tanh,
            Epochs = 17,
            BatchSize = 23,
            LearningRate = 0.0123f,
            Optimizer = OptimizerKind.Sgd,
            Momentum = 0.45f,
            UseNesterovMomentum = true,
            L2Regularization = 0.031f,
            DropoutRate = 0.27f,
            ValidationFraction = 0.19f,
            EarlyStoppingRounds = 4,
            Seed = 99,
            NumberOfThreads = 3,
            L1Regularization = 0.011f,
            WeightDecay = 0.052f,
            GradientClipNorm = 2.5f,
            LabelSmoothing = 0.07f,
        };

        TrainingSettings settings = options.ToSettings(LossKind.SparseCategoricalCrossEntropy, seed: 1_234_567_890_123);
        Assert.Equal(0.011f, settings.L1Regularization);
        Assert.Equal(0.052f, settings.WeightDecay);
        Assert.Equal(2.5f, settings.GradientClipNorm);
        Assert.Equal(0.07f, settings.LabelSmoothing);

        Assert.Equal(LossKind.SparseCategoricalCrossEntropy, settings.Loss);
        Assert.Equal(1_234_567_890_123, settings.Seed); // the seed argument, not the option (the trainer resolves a null option)
        Assert.Equal([7, 5], settings.HiddenLayers!);
        Assert.Equal(Activation.Tanh, settings.Activation);
        Assert.Equal(17, settings.Epochs);
        Assert.Equal(23, settings.BatchSize);
        Assert.Equal(0.0123f, settings.LearningRate);
        Assert.Equal(OptimizerKind.Sgd, settings.Optimizer);
        Assert.Equal(0.45f, settings.Momentum);
        Assert.True(settings.UseNesterovMomentum);
        Assert.Equal(0.031f, settings.L2Regularization);
        Assert.Equal(0.27f, settings.DropoutRate);
        Assert.Equal(0.19f, settings.ValidationFraction);
        Assert.Equal(4, settings.EarlyStoppingRounds);
        Assert.Equal(3, settings.NumberOfThreads);
        // Not options: the trainer always standardises.
        Assert.True(settings.StandardizeFeatures);
        Assert.True(settings.StandardizeTargets);

        List<string> shared = SharedNames().ToList();
        Assert.Superset(new HashSet<string>(["HiddenLayers", "Activation", "Epochs", "BatchSize", "LearningRate", "Optimizer", "Momentum",
            "UseNesterovMomentum", "L2Regularization", "DropoutRate", "ValidationFraction", "EarlyStoppingRounds", "NumberOfThreads",
            "L1Regularization", "WeightDecay", "GradientClipNorm", "LabelSmoothing"]), new HashSet<string>(shared));
        foreach (string name in shared.Where(name => name != nameof(TrainingSettings.Seed)))
            Assert.True(Equal(Value(options, name), Value(settings, name)), $"{name}: option {Value(options, name)}, setting {Value(settings, name)}.");
    }

    /// <summary>Weight decay left at null is AdamW's 0.1 on large data, 1 on small data, and 0 for every other optimizer.</summary>
    [Fact]
    public void WeightDecayDefaultsToAdamWsAndToNoneElsewhere()
    {
        foreach (OptimizerKind optimizer in Enum.GetValues<OptimizerKind>())
        {
            TrainingSettings settings = new FeedForwardRegressionTrainer.Options { Optimizer = optimizer }.ToSettings(LossKind.SquaredError, seed: 1);
            Assert.Null(settings.WeightDecay);
            Assert.Equal(optimizer == OptimizerKind.AdamW ? 0.1f : 0f, settings.ForRows(TrainingDefaults.SmallDataRows).WeightDecay);
            Assert.Equal(optimizer == OptimizerKind.AdamW ? 1f : 0f, settings.ForRows(TrainingDefaults.SmallDataRows - 1).WeightDecay);
        }
    }

    /// <summary>
    /// The rule at its boundary: under 3,000 rows without validation data, the automatic choices are AdamW at 0.01
    /// with a cosine schedule, weight decay 1, no early stopping, 3,000 steps within [10, 300] epochs and an ensemble
    /// of 5 chosen by cross-validation; from 3,000 rows one network, AdamW at 0.003 with a cosine schedule, weight
    /// decay 0.1, no early stopping, 20,000 steps. Validation data turns early stopping on at any size.
    /// </summary>
    [Fact]
    public void SmallDataGetsTheCrossValidatedEnsembleAndLargeDataOneLongerTrainedNetwork()
    {
        Assert.Equal(3_000, TrainingDefaults.SmallDataRows);
        var automatic = new FeedForwardBinaryTrainer.Options().ToSettings(LossKind.BinaryCrossEntropy, seed: 1);
        TrainingSettings small = automatic.ForRows(2_999);
        Assert.Equal(OptimizerKind.AdamW, small.Optimizer);
        Assert.Equal(0.01f, small.LearningRate);
        Assert.Equal(LearningRateSchedule.CosineAnnealing, small.LearningRateSchedule);
        Assert.Equal(1f, small.WeightDecay);
        Assert.Equal(0, small.EarlyStoppingRounds);
        Assert.Equal(5, small.EnsembleSize);
        Assert.Equal(32, small.Epochs); // 94 batches: ⌈31.9⌉
        Assert.True(automatic.ChoosesRecipe(2_999, validationGiven: false));
        Assert.False(automatic.ChoosesRecipe(2_999, validationGiven: true));
        Assert.False(automatic.ChoosesRecipe(3_000, validationGiven: false));
        Assert.False((automatic with { HiddenLayers = [8] }).ChoosesRecipe(100, validationGiven: false));
        Assert.False((automatic with { EnsembleSize = 1 }).ChoosesRecipe(100, validationGiven: false));
        Assert.False((automatic with { LearningRate = 0.01f }).ChoosesRecipe(100, validationGiven: false));
        Assert.Equal(10, automatic.ForRows(2_999, validationGiven: true).EarlyStoppingRounds);
        Assert.Equal(1, (automatic with { HiddenLayers = [8] }).ForRows(100).EnsembleSize); // the network asked for, layer for layer
        // Wide data: one network (15 wide ones would cost seconds to minutes), the small-data recipe otherwise.
        Assert.True(automatic.ChoosesRecipe(2_999, validationGiven: false, features: 1_000));
        Assert.False(automatic.ChoosesRecipe(2_999, validationGiven: false, features: 1_001));
        Assert.Equal(5, automatic.ForRows(2_999, features: 1_000).EnsembleSize);
        Assert.Equal(1, automatic.ForRows(2_999, features: 1_001).EnsembleSize);
        Assert.Equal(1f, automatic.ForRows(2_999, features: 1_001).WeightDecay);

        TrainingSettings large = automatic.ForRows(3_000);
        Assert.Equal(OptimizerKind.AdamW, large.Optimizer);
        Assert.Equal(0.003f, large.LearningRate);
        Assert.Equal(LearningRateSchedule.CosineAnnealing, large.LearningRateSchedule);
        Assert.Equal(0.1f, large.WeightDecay);
        Assert.Equal(0, large.EarlyStoppingRounds);
        Assert.Equal(1, large.EnsembleSize);
        Assert.Equal(200, large.Epochs); // 94 batches: ⌈212.8⌉, clamped
        Assert.Equal(10, automatic.ForRows(3_000, validationGiven: true).EarlyStoppingRounds);
        Assert.Equal(0.001f, (automatic with { Optimizer = OptimizerKind.Adam }).ForRows(3_000).LearningRate);
        Assert.Equal(LearningRateSchedule.Constant, (automatic with { Optimizer = OptimizerKind.Lbfgs }).ForRows(3_000).LearningRateSchedule);
    }

    /// <summary>The settings get their own copy of the hidden layers: changing the options afterwards changes nothing.</summary>
    [Fact]
    public void ToSettingsCopiesTheHiddenLayers()
    {
        var options = new FeedForwardBinaryTrainer.Options { HiddenLayers = [8, 4] };

        TrainingSettings settings = options.ToSettings(LossKind.BinaryCrossEntropy, seed: 1);
        options.HiddenLayers[0] = 100;

        Assert.Equal([8, 4], settings.HiddenLayers!);
    }

    public static TheoryData<string> OutOfRangeOptions() => new()
    {
        "BatchSize", "EarlyStoppingRounds", "NumberOfThreads", "Epochs", "LearningRate", "Momentum", "L2Regularization",
        "DropoutRate", "ValidationFraction", "HiddenLayers", "Activation", "Optimizer",
    };

    /// <summary>One out-of-range value per option: the exception is an <see cref="ArgumentOutOfRangeException"/> whose ParamName is the option's name.</summary>
    [Theory]
    [MemberData(nameof(OutOfRangeOptions))]
    public void ToSettingsNamesTheOptionThatIsOutOfRange(string option)
    {
        var options = new FeedForwardBinaryTrainer.Options();
        switch (option)
        {
            case "BatchSize": options.BatchSize = 0; break;
            case "EarlyStoppingRounds": options.EarlyStoppingRounds = -1; break;
            case "NumberOfThreads": options.NumberOfThreads = 0; break;
            case "Epochs": options.Epochs = 0; break;
            case "LearningRate": options.LearningRate = 0f; break;
            case "Momentum": options.Momentum = 1f; break;
            case "L2Regularization": options.L2Regularization = -0.5f; break;
            case "DropoutRate": options.DropoutRate = 1f; break;
            case "ValidationFraction": options.ValidationFraction = 1f; break;
            case "HiddenLayers": options.HiddenLayers = [16, 0]; break;
            case "Activation": options.Activation = (Activation)99; break;
            case "Optimizer": options.Optimizer = (OptimizerKind)99; break;
            default: throw new ArgumentOutOfRangeException(nameof(option), option, null);
        }

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => options.ToSettings(LossKind.BinaryCrossEntropy, seed: 0));
        Assert.Equal(option, error.ParamName);
    }

    /// <summary>The hidden layers by rows: [64] under 1,000; [128, 64] under 3,000; [256, 128] under 100,000; [256, 128, 64, 32] from 100,000.</summary>
    [Theory]
    [InlineData(0, new[] { 64 })]
    [InlineData(1, new[] { 64 })]
    [InlineData(999, new[] { 64 })]
    [InlineData(1_000, new[] { 128, 64 })]
    [InlineData(2_999, new[] { 128, 64 })]
    [InlineData(3_000, new[] { 256, 128 })]
    [InlineData(99_999, new[] { 256, 128 })]
    [InlineData(100_000, new[] { 256, 128, 64, 32 })]
    [InlineData(int.MaxValue, new[] { 256, 128, 64, 32 })]
    public void HiddenLayersFollowTheRowCount(int rows, int[] expected)
    {
        Assert.Equal(expected, TrainingDefaults.HiddenLayers(rows));
    }

    /// <summary>
    /// Epochs = ⌈steps / batches per epoch⌉ with batches per epoch = ⌈rows / batch size⌉: from 3,000 rows 20,000 steps
    /// within [10, 200]; under 3,000 rows 2,000 steps within [10, 200] with early stopping and 3,000 within [10, 300]
    /// without. Each expected value worked out by hand.
    /// </summary>
    [Theory]
    [InlineData(0, 32, true, 200)]               // no batches: the most epochs
    [InlineData(1, 32, true, 200)]               // 1 batch: 2,000 epochs, clamped
    [InlineData(320, 32, true, 200)]             // 10 batches: exactly 200
    [InlineData(321, 32, true, 182)]             // 11 batches: ⌈181.8⌉
    [InlineData(2_048, 32, true, 32)]            // 64 batches: ⌈31.25⌉
    [InlineData(2_999, 32, true, 22)]            // 94 batches: ⌈21.3⌉
    [InlineData(100, 32, false, 300)]            // 4 batches: 750, clamped
    [InlineData(960, 32, false, 100)]            // 30 batches: exactly 100
    [InlineData(2_999, 32, false, 32)]           // 94 batches: ⌈31.9⌉
    [InlineData(1_000, 1_000_000, false, 300)]   // one batch bigger than the data
    [InlineData(3_000, 32, false, 200)]          // 94 batches: ⌈212.8⌉, clamped
    [InlineData(6_400, 32, true, 100)]           // 200 batches: exactly 100, early stopping or not
    [InlineData(6_401, 32, false, 100)]          // 201 batches: ⌈99.5⌉
    [InlineData(64_000, 32, false, 10)]          // 2,000 batches: exactly 10
    [InlineData(100_000, 32, false, 10)]         // 3,125 batches: ⌈6.4⌉ = 7, clamped up
    [InlineData(int.MaxValue, 1, false, 10)]     // no overflow in ⌈rows / batch⌉
    [InlineData(int.MaxValue, int.MaxValue, false, 200)]
    public void EpochsFollowTheStepBudgetOfTheDataSize(int rows, int batchSize, bool earlyStopping, int expected)
    {
        Assert.Equal(expected, TrainingDefaults.Epochs(rows, batchSize, earlyStopping));
    }

    /// <summary>The rules are what a settings object with null layers and epochs resolves to for its rows.</summary>
    [Fact]
    public void ForRowsFillsInOnlyTheAutomaticChoices()
    {
        var automatic = new TrainingSettings { Loss = LossKind.SquaredError, BatchSize = 16 };
        TrainingSettings resolved = automatic.ForRows(5_000);
        Assert.Equal([256, 128], resolved.HiddenLayers!);
        Assert.Equal(64, resolved.Epochs); // 313 batches of 16: ⌈63.9⌉

        TrainingSettings chosen = (automatic with { HiddenLayers = [3], Epochs = 4 }).ForRows(5_000);
        Assert.Equal([3], chosen.HiddenLayers!);
        Assert.Equal(4, chosen.Epochs);
    }

    private static IEnumerable<string> SharedNames()
    {
        HashSet<string> settings = typeof(TrainingSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToHashSet();
        // The multiclass options have every option: the shared ones and the classification ones.
        return typeof(FeedForwardMulticlassTrainer.Options).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Where(settings.Contains);
    }

    private static object? Value(object target, string name) => target.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)!.GetValue(target);

    /// <summary>Equal values; arrays element by element.</summary>
    private static bool Equal(object? a, object? b) => (a, b) switch
    {
        (int[] x, int[] y) => x.SequenceEqual(y),
        _ => Equals(a, b),
    };
}
