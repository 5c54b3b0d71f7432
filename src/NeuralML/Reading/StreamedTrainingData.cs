using Microsoft.ML;
using NeuralML.Columns;
using NeuralML.Training;

namespace NeuralML.Reading;

/// <summary>
/// A view's training rows as a stream: every pass is a new cursor (<see cref="CheckedRows"/>, with the same checks as
/// the in-memory reader), shuffled by the view itself when the pass has a seed and the view can shuffle (ML.NET's
/// cache shuffles every row, a binary <c>.idv</c> file reads its blocks in a random order; a text file cannot). The first
/// pass's counts (rows, rows skipped for a missing label, rows of each class) are the stream's, and at its end it
/// refuses rows that cannot train as the in-memory reader does.
/// </summary>
internal sealed class StreamedTrainingData(IDataView data, TaskColumns task, TrainingColumns columns, int classCount, TrainingCancellation cancellation) : IRowStream
{
    public int FeatureCount => columns.FeatureCount;

    public int TargetWidth => 1;

    public bool HasWeights => columns.Weight is not null;

    /// <summary>Rows of each class with a positive weight, counted by the first pass (empty for regression).</summary>
    public int[] RowsPerClass { get; private set; } = [];

    /// <summary>Rows the first pass skipped for a missing label.</summary>
    public long SkippedRows { get; private set; }

    /// <summary>Rows the first pass read.</summary>
    public long Rows { get; private set; }

    /// <summary>Passes opened so far.</summary>
    public int Passes { get; private set; }

    public IRowStreamPass Open(int? shuffleSeed)
    {
        bool shuffled = shuffleSeed is not null && data.CanShuffle;
        var rows = new CheckedRows(data, columns, task.Kind, classCount, shuffled ? new Random(shuffleSeed!.Value) : null, cancellation);
        return new Pass(this, rows, counts: Passes++ == 0);
    }

    private sealed class Pass(StreamedTrainingData stream, CheckedRows rows, bool counts) : IRowStreamPass
    {
        public int Read(Span<float> features, Span<float> targets, Span<float> weights, Span<ulong> ids)
        {
            int width = stream.FeatureCount, read = 0;
            bool more = true;
            while (read < ids.Length && (more = rows.MoveNext()))
            {
                rows.CopyFeaturesTo(features.Slice(read * width, width));
                targets[read] = rows.Target;
                if (stream.HasWeights) weights[read] = rows.Weight;
                ids[read] = rows.Id();
                read++;
            }
            if (counts)
            {
                (stream.Rows, stream.SkippedRows, stream.RowsPerClass) = (rows.Read, rows.Skipped, rows.RowsPerClass);
                if (!more) rows.CheckUsable();
            }
            return read;
        }

        public void Dispose() => rows.Dispose();
    }
}
