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
        Assert.Equal(1e-3f, options.LearningRate);
        Assert.Equal(OptimizerKind.Adam, settings.Optimizer);
        Assert.Equal(OptimizerKind.Adam, options.Optimizer);
        Assert.Equal(0.9f, settings.Momentum);
        Assert.Equal(0.9f, options.Momentum);
        Assert.Equal(0.1f, settings.ValidationFraction);
        Assert.Equal(0.1f, options.ValidationFraction);
        Assert.Equal(10, settings.EarlyStoppingRounds);
        Assert.Equal(10, options.EarlyStoppingRounds);
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

    /// <summary>Every option that has a setting of the same name starts with that setting's default (found by reflection, so a new pair is covered too).</summary>
    [Fact]
    public void EverySharedPropertyHasTheSameDefault()
    {
        var settings = new TrainingSettings { Loss = LossKind.SparseCategoricalCrossEntropy };
        var options = new FeedForwardMulticlassTrainer.Options();

        // WeightDecay's option is null for "the optimizer's default", resolved by ToSettings (tested below).
        List<string> shared = SharedNames().Where(name => name is not (nameof(TrainingSettings.Seed) or nameof(TrainingSettings.WeightDecay))).ToList();
        foreach (string name in shared)
            Assert.True(Equal(Value(options, name), Value(settings, name)), $"{name}: option {Value(options, name)}, setting {Value(settings, name)}.");
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

    /// <summary>Weight decay left at null is AdamW's 0.01 (PyTorch's default) and 0 for every other optimizer.</summary>
    [Fact]
    public void WeightDecayDefaultsToAdamWsAndToNoneElsewhere()
    {
        foreach (OptimizerKind optimizer in Enum.GetValues<OptimizerKind>())
        {
            TrainingSettings settings = new FeedForwardRegressionTrainer.Options { Optimizer = optimizer }.ToSettings(LossKind.SquaredError, seed: 1);
            Assert.Equal(optimizer == OptimizerKind.AdamW ? 0.01f : 0f, settings.WeightDecay);
        }
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

    /// <summary>The hidden layers by rows: [64] under 1,000; [128, 64] from 1,000 to 99,999; [256, 128, 64, 32] from 100,000.</summary>
    [Theory]
    [InlineData(0, new[] { 64 })]
    [InlineData(1, new[] { 64 })]
    [InlineData(999, new[] { 64 })]
    [InlineData(1_000, new[] { 128, 64 })]
    [InlineData(99_999, new[] { 128, 64 })]
    [InlineData(100_000, new[] { 256, 128, 64, 32 })]
    [InlineData(int.MaxValue, new[] { 256, 128, 64, 32 })]
    public void HiddenLayersFollowTheRowCount(int rows, int[] expected)
    {
        Assert.Equal(expected, TrainingDefaults.HiddenLayers(rows));
    }

    /// <summary>
    /// Epochs = ⌈2000 / batches per epoch⌉ clamped to [10, 200], with batches per epoch = ⌈rows / batch size⌉; each
    /// expected value worked out by hand.
    /// </summary>
    [Theory]
    [InlineData(0, 32, 200)]              // no batches: the most epochs
    [InlineData(1, 32, 200)]              // 1 batch: 2000 epochs, clamped
    [InlineData(288, 32, 200)]            // 9 batches: ⌈222.2⌉, clamped
    [InlineData(320, 32, 200)]            // 10 batches: exactly 200
    [InlineData(321, 32, 182)]            // 11 batches: ⌈181.8⌉
    [InlineData(2_048, 32, 32)]           // 64 batches: ⌈31.25⌉ → 2,048 steps
    [InlineData(3_200, 32, 20)]           // 100 batches: 20 → 2,000 steps
    [InlineData(6_400, 32, 10)]           // 200 batches: exactly 10
    [InlineData(6_401, 32, 10)]           // 201 batches: ⌈9.95⌉ = 10
    [InlineData(6_432, 32, 10)]           // 201 batches still
    [InlineData(100_000, 32, 10)]         // 3,125 batches: ⌈0.64⌉ = 1, clamped up
    [InlineData(1_000, 1_000_000, 200)]   // one batch bigger than the data
    [InlineData(int.MaxValue, 1, 10)]     // no overflow in ⌈rows / batch⌉
    [InlineData(int.MaxValue, int.MaxValue, 200)]
    public void EpochsAimAtAboutTwoThousandStepsWithinTenAndTwoHundred(int rows, int batchSize, int expected)
    {
        Assert.Equal(expected, TrainingDefaults.Epochs(rows, batchSize));
    }

    /// <summary>The rules are what a settings object with null layers and epochs resolves to for its rows.</summary>
    [Fact]
    public void ForRowsFillsInOnlyTheAutomaticChoices()
    {
        var automatic = new TrainingSettings { Loss = LossKind.SquaredError, BatchSize = 16 };
        TrainingSettings resolved = automatic.ForRows(5_000);
        Assert.Equal([128, 64], resolved.HiddenLayers!);
        Assert.Equal(10, resolved.Epochs); // 313 batches of 16: ⌈6.4⌉ = 7, clamped to 10

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
