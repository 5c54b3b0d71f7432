using Microsoft.ML;
using NeuralML.Columns;
using NeuralML.Training;

namespace NeuralML.Reading;

/// <summary>
/// A view's training rows as a stream: every pass is a new cursor (<see cref="CheckedRows"/>, with the same checks as
/// the in-memory reader), shuffled by the view itself when the pass has a seed and the view can shuffle (ML.NET's
/// cache shuffles every row, a binary <c>.idv</c> file reads its blocks in a random order; a text file cannot). It also
/// counts, in the first pass, the rows skipped for a missing label and the rows of each class.
/// </summary>
internal sealed class StreamedTrainingData(IDataView data, TaskColumns task, TrainingColumns columns, int classCount, TrainingCancellation cancellation) : IRowStream
{
    public int FeatureCount => columns.FeatureCount;

    public int TargetWidth => 1;

    public bool HasWeights => columns.Weight is not null;

    /// <summary>Rows of each class with a positive weight, counted by the first pass (empty for regression).</summary>
    public int[] RowsPerClass { get; } = new int[task.Kind == PredictionKind.Regression ? 0 : Math.Max(classCount, 2)];

    /// <summary>Rows the first pass skipped for a missing label.</summary>
    public long SkippedRows { get; private set; }

    /// <summary>Rows the first pass read.</summary>
    public long Rows { get; private set; }

    /// <summary>Passes opened so far.</summary>
    public int Passes { get; private set; }

    public IRowStreamPass Open(int? shuffleSeed)
    {
        bool shuffled = shuffleSeed is not null && data.CanShuffle;
        var rows = new CheckedRows(data, columns, task.Kind, shuffled ? new Random(shuffleSeed!.Value) : null, cancellation);
        return new Pass(this, rows, counts: Passes++ == 0);
    }

    private sealed class Pass(StreamedTrainingData stream, CheckedRows rows, bool counts) : IRowStreamPass
    {
        public int Read(Span<float> features, Span<float> targets, Span<float> weights, Span<ulong> ids)
        {
            int width = stream.FeatureCount, read = 0;
            while (read < ids.Length && rows.MoveNext())
            {
                rows.CopyFeaturesTo(features.Slice(read * width, width));
                targets[read] = rows.Target;
                if (stream.HasWeights) weights[read] = rows.Weight;
                ids[read] = rows.Id();
                if (counts)
                {
                    stream.Rows++;
                    if (stream.RowsPerClass.Length > 0 && rows.Weight > 0) stream.RowsPerClass[(int)rows.Target]++;
                }
                read++;
            }
            if (counts) stream.SkippedRows = rows.Skipped;
            return read;
        }

        public void Dispose() => rows.Dispose();
    }
}
