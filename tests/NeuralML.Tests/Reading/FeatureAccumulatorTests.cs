using Microsoft.ML.Data;
using NeuralML.Reading;
using NeuralML.Training;

namespace NeuralML.Tests.Reading;

/// <summary>
/// The accumulator's early guess (plainly dense first rows are written densely before the count proves it) never
/// changes the form the density rule gives, nor a value.
/// </summary>
public class FeatureAccumulatorTests
{
    private const int Width = 1_000;

    /// <summary>Rows with <paramref name="nonZeros"/>(row) values at random slots, some of them stored zeros.</summary>
    private static List<VBuffer<float>> MakeRows(int rows, Func<int, int> nonZeros, int seed)
    {
        var random = new Random(seed);
        var list = new List<VBuffer<float>>();
        for (int r = 0; r < rows; r++)
        {
            var values = new float[Width];
            for (int k = nonZeros(r); k > 0; k--) values[random.Next(Width)] = random.Next(4) == 0 ? 0f : (float)random.NextDouble() + 0.1f;
            list.Add(r % 2 == 0 ? new VBuffer<float>(Width, values) : Sparsify(values));
        }
        return list;
    }

    private static VBuffer<float> Sparsify(float[] values)
    {
        int[] indices = [.. Enumerable.Range(0, Width).Where(j => values[j] != 0f)];
        return new VBuffer<float>(Width, indices.Length, [.. indices.Select(j => values[j])], indices);
    }

    /// <summary>The set, and whether the rows were held densely just after the guess's row.</summary>
    private static (InMemoryTrainingSet Set, bool DenseAfterHead) Build(List<VBuffer<float>> rows, bool mayGuessDense)
    {
        var accumulator = new FeatureAccumulator(Width, rows.Count, mayGuessDense);
        bool denseAfterHead = false;
        foreach (VBuffer<float> row in rows)
        {
            accumulator.Add(row);
            if (accumulator.Rows == FeatureAccumulator.GuessAfterRows) denseAfterHead = !accumulator.IsSparse;
        }
        return (accumulator.Build(new float[rows.Count], null), denseAfterHead);
    }

    public static TheoryData<string> Shapes => ["dense throughout", "dense head, sparse tail", "sparse throughout", "dense head, dense enough tail"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_early_guess_gives_the_form_and_values_the_rule_gives(string shape)
    {
        const int rows = 2_000;
        int head = FeatureAccumulator.GuessAfterRows;
        Func<int, int> nonZeros = shape switch
        {
            "dense throughout" => _ => 600,
            // 256 rows of ~25% then under 1%: under the rule's 5% over all rows, though the head looks dense.
            "dense head, sparse tail" => r => r < head ? 400 : 10,
            "sparse throughout" => _ => 10,
            // The head pushes the whole over 5% only once enough tail rows have come: the proof arrives late.
            _ => r => r < head ? 600 : 40,
        };
        List<VBuffer<float>> data = MakeRows(rows, nonZeros, seed: shape.Length);
        (InMemoryTrainingSet exact, bool exactDenseEarly) = Build(data, mayGuessDense: false);
        (InMemoryTrainingSet guessed, bool guessedDenseEarly) = Build(data, mayGuessDense: true);

        // Only the guess writes rows densely that early (the count alone proves nothing after 256 of 2,000 rows).
        Assert.False(exactDenseEarly);
        Assert.Equal(shape != "sparse throughout", guessedDenseEarly);

        Assert.Equal(exact.Sparse is null, guessed.Sparse is null);
        if (exact.Sparse is { } sparse)
        {
            Assert.Equal(sparse.Offsets, guessed.Sparse!.Offsets);
            Assert.Equal(sparse.Indices.AsSpan(0, (int)sparse.NonZeros).ToArray(), guessed.Sparse.Indices.AsSpan(0, (int)sparse.NonZeros).ToArray());
            Assert.Equal(sparse.Values.AsSpan(0, (int)sparse.NonZeros).ToArray(), guessed.Sparse.Values.AsSpan(0, (int)sparse.NonZeros).ToArray());
        }
        else
        {
            Assert.Equal(exact.DenseFeatures, guessed.DenseFeatures);
        }
        bool expectSparse = shape is "dense head, sparse tail" or "sparse throughout";
        Assert.Equal(expectSparse, exact.Sparse is not null);
    }
}
