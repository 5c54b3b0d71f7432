using CsCheck;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralML.Tests.Trainers;

/// <summary>
/// A property over random small problems (CsCheck): random shapes, tasks, options and data — NaN, huge values,
/// constant columns, duplicate rows, one or two rows, zero weights. Training either gives a model whose parameters are
/// all finite, or throws one of the documented exception types with a message that names the column or the option.
/// </summary>
public class TrainingPropertyTests
{
    private sealed class Row
    {
        [VectorType] public float[] Features { get; set; } = [];
        public float Value { get; set; }
        public bool Positive { get; set; }
        public uint Class { get; set; }
        public float Weight { get; set; }
    }

    private sealed record Problem(int Task, float[][] Features, float[] Targets, float[] Weights, bool UseWeights, int[]? Hidden, OptimizerKind? Optimizer,
        int? Epochs, int BatchSize, float Dropout, float ValidationFraction, int? EarlyStopping, float? LearningRate);

    private static readonly Gen<float> Value = Gen.Frequency(
        (20, Gen.Float[-3f, 3f]),
        (1, Gen.Const(1e30f)),
        (1, Gen.Const(-1e30f)),
        (2, Gen.Const(0f)));

    private static readonly Gen<Problem> Problems =
        from task in Gen.Int[0, 2]
        from rows in Gen.Frequency((1, Gen.Int[1, 2]), (6, Gen.Int[3, 40]))
        from width in Gen.Int[1, 5]
        from features in Value.Array[width].Array[rows]
        from constantColumn in Gen.Bool
        from duplicate in Gen.Bool
        from nan in Gen.Frequency((1, Gen.Const(true)), (5, Gen.Const(false)))
        from targets in Gen.Float[-2f, 2f].Array[rows]
        from weights in Gen.Frequency((3, Gen.Const(1f)), (1, Gen.Const(0f)), (2, Gen.Float[0f, 3f])).Array[rows]
        from useWeights in Gen.Bool
        from hidden in Gen.Frequency((2, Gen.Const((int[]?)null)), (1, Gen.Const((int[]?)[])), (3, Gen.Int[1, 9].Array[1, 2].Select(a => (int[]?)a)))
        from optimizer in Gen.Frequency((2, Gen.Const((OptimizerKind?)null)), (3, Gen.Enum<OptimizerKind>().Select(o => (OptimizerKind?)o)))
        from epochs in Gen.Frequency((1, Gen.Const((int?)null)), (4, Gen.Int[1, 4].Select(e => (int?)e)))
        from batch in Gen.Int[1, 16]
        from dropout in Gen.Frequency((3, Gen.Const(0f)), (1, Gen.Float[0f, 0.6f]))
        from fraction in Gen.Float[0f, 0.6f]
        from earlyStopping in Gen.Frequency((2, Gen.Const((int?)null)), (1, Gen.Int[0, 3].Select(e => (int?)e)))
        from rate in Gen.Frequency((3, Gen.Const((float?)null)), (1, Gen.Float[1e-4f, 0.5f].Select(r => (float?)r)))
        select Shape(new Problem(task, features, targets, weights, useWeights, hidden, optimizer, epochs, batch, dropout, fraction, earlyStopping, rate), constantColumn, duplicate, nan);

    /// <summary>A constant first column, a duplicated first row and a NaN in the last row, when drawn.</summary>
    private static Problem Shape(Problem problem, bool constantColumn, bool duplicate, bool nan)
    {
        if (constantColumn) foreach (float[] row in problem.Features) row[0] = 1.5f;
        if (duplicate && problem.Features.Length > 1) problem.Features[1] = (float[])problem.Features[0].Clone();
        if (nan) problem.Features[^1][^1] = float.NaN;
        return problem;
    }

    /// <summary>The options' names, as a message must spell one to name it.</summary>
    private static readonly string[] OptionNames = [.. new[] { typeof(FeedForwardRegressionTrainer.Options), typeof(FeedForwardBinaryTrainer.Options), typeof(FeedForwardMulticlassTrainer.Options) }
        .SelectMany(t => t.GetProperties()).Select(p => p.Name).Distinct()];

    [Fact]
    public void Training_gives_finite_weights_or_a_documented_exception_naming_the_column_or_option()
    {
        int trained = 0, refused = 0;
        Problems.Sample(problem =>
        {
            var ml = new MLContext(seed: 1);
            int width = problem.Features[0].Length;
            var schema = SchemaDefinition.Create(typeof(Row));
            schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
            schema["Class"].ColumnType = new KeyDataViewType(typeof(uint), 3);
            IDataView data = ml.Data.LoadFromEnumerable(problem.Features.Select((f, i) => new Row
            {
                Features = f, Value = problem.Targets[i], Positive = problem.Targets[i] > 0, Class = (uint)(Math.Abs((int)(problem.Targets[i] * 10)) % 3 + 1), Weight = problem.Weights[i],
            }), schema);
            string? weight = problem.UseWeights ? "Weight" : null;
            IEstimator<ITransformer> trainer = problem.Task switch
            {
                0 => ml.Regression.Trainers.FeedForward(Set(new FeedForwardRegressionTrainer.Options { LabelColumnName = "Value" }, problem, weight)),
                1 => ml.BinaryClassification.Trainers.FeedForward(Set(new FeedForwardBinaryTrainer.Options { LabelColumnName = "Positive" }, problem, weight)),
                _ => ml.MulticlassClassification.Trainers.FeedForward(Set(new FeedForwardMulticlassTrainer.Options { LabelColumnName = "Class" }, problem, weight)),
            };
            try
            {
                ITransformer model = trainer.Fit(data);
                float[] parameters = ((ISingleFeaturePredictionTransformer<FeedForwardModelParameters>)model).Model.GetParameters();
                Assert.All(parameters, p => Assert.True(float.IsFinite(p), $"a non-finite parameter from {problem}"));
                Interlocked.Increment(ref trained);
            }
            catch (ArgumentOutOfRangeException e)
            {
                Assert.True(OptionNames.Contains(e.ParamName), $"ParamName {e.ParamName}: {e.Message}");
                Interlocked.Increment(ref refused);
            }
            catch (InvalidOperationException e)
            {
                Assert.True(e.Message.Contains("column '", StringComparison.Ordinal) || OptionNames.Any(name => e.Message.Contains(name, StringComparison.Ordinal)), e.Message);
                Interlocked.Increment(ref refused);
            }
        }, iter: 120);
        // Both outcomes occur: the property is not satisfied by refusing everything.
        Assert.True(trained >= 40, $"{trained} problems trained, {refused} refused");
        Assert.True(refused >= 5, $"{trained} problems trained, {refused} refused");
    }

    private static T Set<T>(T options, Problem problem, string? weight) where T : FeedForwardOptions
    {
        options.ExampleWeightColumnName = weight;
        options.HiddenLayers = problem.Hidden;
        options.Optimizer = problem.Optimizer;
        options.Epochs = problem.Epochs;
        options.BatchSize = problem.BatchSize;
        options.DropoutRate = problem.Optimizer == OptimizerKind.Lbfgs ? 0f : problem.Dropout;
        options.ValidationFraction = problem.ValidationFraction;
        options.EarlyStoppingRounds = problem.EarlyStopping;
        options.LearningRate = problem.LearningRate;
        options.Seed = 1;
        return options;
    }
}
