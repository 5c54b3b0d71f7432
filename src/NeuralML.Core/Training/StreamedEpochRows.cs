namespace NeuralML.Training;

/// <summary>
/// Streaming training's epochs: one pass over an <see cref="IRowStream"/> per epoch, read into a bounded window
/// (the shuffle buffer) that is stepped through in a shuffled order before the next buffer-full is read. Each epoch
/// asks the source for its own seeded order (a random block order where the source can give one) unless the window
/// holds every row; rows held out for validation are skipped by their identity. The window is the
/// <see cref="ITrainingSet"/> the training objective reads its batches from.
/// </summary>
internal sealed class StreamedEpochRows : ITrainingSet, IEpochRows
{
    /// <summary>Rows read from the stream at a time (and between two checks for cancellation).</summary>
    private const int ReadRows = 4096;

    private readonly IRowStream _stream;
    private readonly IReadOnlySet<ulong> _heldOut;
    private readonly int _capacity;
    private readonly long _shuffleSeed;
    private readonly bool _shuffleSource;
    private readonly TrainingCancellation _cancellation;
    private readonly float[] _features, _targets, _weights;
    private readonly ulong[] _ids = new ulong[ReadRows];
    // The shuffled order of a window of each size, kept from epoch to epoch as in-memory training keeps its order.
    private readonly Dictionary<int, int[]> _orders = [];
    private int _count;

    /// <param name="stream">The rows.</param>
    /// <param name="capacity">Rows the window holds; a multiple of the batch size keeps every batch but an epoch's last one full.</param>
    /// <param name="trainingRows">Rows of the stream that train (all but the held-out ones).</param>
    /// <param name="heldOut">Identities of the rows that do not train.</param>
    /// <param name="shuffleSeed">Seeds each epoch's source order.</param>
    /// <param name="cancellation">Checked between reads.</param>
    public StreamedEpochRows(IRowStream stream, int capacity, long trainingRows, IReadOnlySet<ulong> heldOut, long shuffleSeed, TrainingCancellation cancellation)
    {
        _stream = stream;
        _capacity = capacity;
        _heldOut = heldOut;
        _shuffleSeed = shuffleSeed;
        // A window that holds every row needs no source order: shuffling the window is shuffling the data.
        _shuffleSource = trainingRows > capacity;
        _cancellation = cancellation;
        _features = new float[(long)capacity * stream.FeatureCount];
        _targets = new float[(long)capacity * stream.TargetWidth];
        _weights = stream.HasWeights ? new float[capacity] : [];
    }

    public int RowCount => _count;

    public int FeatureCount => _stream.FeatureCount;

    public int TargetWidth => _stream.TargetWidth;

    public bool HasWeights => _stream.HasWeights;

    public IEnumerable<int[]> Windows(int epoch, Numerics.Xoshiro256StarStar random)
    {
        int width = FeatureCount, targetWidth = TargetWidth;
        using IRowStreamPass pass = _stream.Open(_shuffleSource ? EpochSeed(epoch) : null);
        _count = 0;
        bool more = true;
        while (more)
        {
            _cancellation.ThrowIfRequested();
            int room = Math.Min(ReadRows, _capacity - _count);
            int read = pass.Read(_features.AsSpan(_count * width), _targets.AsSpan(_count * targetWidth), HasWeights ? _weights.AsSpan(_count) : [],
                _ids.AsSpan(0, room));
            more = read > 0;
            _count += KeepTrainingRows(read);
            if (_count == _capacity || (!more && _count > 0))
            {
                int[] order = OrderOf(_count);
                random.Shuffle(order);
                yield return order;
                _count = 0;
            }
        }
    }

    /// <summary>Drops the held-out rows among the <paramref name="read"/> rows just read at the window's end; returns how many remain.</summary>
    private int KeepTrainingRows(int read)
    {
        if (_heldOut.Count == 0) return read;
        int width = FeatureCount, targetWidth = TargetWidth, kept = 0;
        for (int i = 0; i < read; i++)
        {
            if (_heldOut.Contains(_ids[i])) continue;
            if (kept != i)
            {
                int from = _count + i, to = _count + kept;
                _features.AsSpan(from * width, width).CopyTo(_features.AsSpan(to * width, width));
                _targets.AsSpan(from * targetWidth, targetWidth).CopyTo(_targets.AsSpan(to * targetWidth, targetWidth));
                if (HasWeights) _weights[to] = _weights[from];
            }
            kept++;
        }
        return kept;
    }

    private int[] OrderOf(int count)
    {
        if (!_orders.TryGetValue(count, out int[]? order)) _orders[count] = order = Enumerable.Range(0, count).ToArray();
        return order;
    }

    /// <summary>The source order's seed for an epoch, apart from the member's generator (whose draws stay those of in-memory training).</summary>
    private int EpochSeed(int epoch)
    {
        ulong z = unchecked((ulong)_shuffleSeed + (ulong)epoch * 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z >> 33);
    }

    public void CopyRows(ReadOnlySpan<int> rows, Span<float> features, Span<float> targets, Span<float> weights)
    {
        int width = FeatureCount, targetWidth = TargetWidth;
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            _features.AsSpan(row * width, width).CopyTo(features.Slice(i * width, width));
            _targets.AsSpan(row * targetWidth, targetWidth).CopyTo(targets.Slice(i * targetWidth, targetWidth));
            if (HasWeights) weights[i] = _weights[row];
        }
    }
}
