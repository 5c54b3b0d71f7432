namespace NeuralML.Training;

/// <summary>
/// Streaming training's epochs: one pass over an <see cref="IRowStream"/> per epoch, read into a bounded window
/// (the shuffle buffer) that is stepped through in a shuffled order. When every training row fits the window, it is
/// read whole, in storage order, every epoch; otherwise each epoch asks the source for its own seeded order (a random
/// block order where the source can give one) and reads it into two half-size buffers in turn, the next one filled on
/// another thread while the current one trains, so that reading the view hides behind training. Rows held out for
/// validation are skipped by their identity. The current buffer is the <see cref="ITrainingSet"/> the training
/// objective reads its batches from.
/// </summary>
internal sealed class StreamedEpochRows : ITrainingSet, IEpochRows
{
    /// <summary>Rows read from the stream at a time (and between two checks for cancellation).</summary>
    private const int ReadRows = 4096;

    private readonly IRowStream _stream;
    private readonly IReadOnlySet<ulong> _heldOut;
    private readonly long _shuffleSeed;
    private readonly bool _shuffleSource;
    private readonly TrainingCancellation _cancellation;
    private readonly WindowBuffer _first;
    private readonly WindowBuffer? _second;
    // The shuffled order of a window of each size, kept from epoch to epoch as in-memory training keeps its order.
    private readonly Dictionary<int, int[]> _orders = [];
    private WindowBuffer _current;

    /// <param name="stream">The rows.</param>
    /// <param name="capacity">Rows the window holds; a multiple of twice the batch size keeps every batch but an epoch's last one full.</param>
    /// <param name="trainingRows">Rows of the stream that train (all but the held-out ones).</param>
    /// <param name="heldOut">Identities of the rows that do not train.</param>
    /// <param name="shuffleSeed">Seeds each epoch's source order.</param>
    /// <param name="cancellation">Checked between reads.</param>
    public StreamedEpochRows(IRowStream stream, int capacity, long trainingRows, IReadOnlySet<ulong> heldOut, long shuffleSeed, TrainingCancellation cancellation)
    {
        _stream = stream;
        _heldOut = heldOut;
        _shuffleSeed = shuffleSeed;
        // A window that holds every row needs no source order: shuffling the window is shuffling the data.
        _shuffleSource = trainingRows > capacity;
        TrainingRows = trainingRows;
        _cancellation = cancellation;
        int half = Math.Max(1, capacity / 2);
        _first = new WindowBuffer(_shuffleSource ? half : capacity, stream);
        _second = _shuffleSource ? new WindowBuffer(half, stream) : null;
        _current = _first;
    }

    /// <summary>The rows each epoch trains on (all but the held-out ones).</summary>
    public long TrainingRows { get; }

    /// <summary>The rows of the current window.</summary>
    public int RowCount => _current.Count;

    public int FeatureCount => _stream.FeatureCount;

    public int TargetWidth => _stream.TargetWidth;

    public bool HasWeights => _stream.HasWeights;

    public IEnumerable<int[]> Windows(int epoch, Numerics.Xoshiro256StarStar random)
        => _second is null ? WholeWindows(random) : AlternatingWindows(epoch, _second, random);

    /// <summary>Every training row in one window, read in storage order.</summary>
    private IEnumerable<int[]> WholeWindows(Numerics.Xoshiro256StarStar random)
    {
        using IRowStreamPass pass = _stream.Open(null);
        _current = _first;
        bool more = true;
        while (more)
        {
            more = FillWhole(pass, _first);
            if (_first.Count == 0) yield break;
            // More rows than the window (the view grew since the survey counted it) train in windows of their own.
            yield return Shuffled(_first.Count, random);
        }
    }

    /// <summary>The epoch's pass read into the two buffers in turn, each filled while the other trains.</summary>
    private IEnumerable<int[]> AlternatingWindows(int epoch, WindowBuffer second, Numerics.Xoshiro256StarStar random)
    {
        IRowStreamPass pass = _stream.Open(EpochSeed(epoch));
        Task<bool>? filling = null;
        try
        {
            WindowBuffer next = _first;
            filling = Task.Run(() => FillWhole(pass, next));
            while (filling is { } reading)
            {
                bool more = reading.GetAwaiter().GetResult();
                filling = null;
                WindowBuffer ready = next;
                if (ready.Count == 0) yield break;
                next = ready == _first ? second : _first;
                if (more)
                {
                    WindowBuffer target = next;
                    filling = Task.Run(() => FillWhole(pass, target));
                }
                _current = ready;
                yield return Shuffled(ready.Count, random);
                if (!more) yield break;
            }
        }
        finally
        {
            // A reader still at work must finish before its pass goes away (its failure, if any, is the consumer's no more).
            try
            {
                filling?.Wait();
            }
            catch (AggregateException)
            {
            }
            pass.Dispose();
        }
    }

    /// <summary>Empties <paramref name="buffer"/> and fills it from <paramref name="pass"/>; returns whether the pass may have more rows.</summary>
    private bool FillWhole(IRowStreamPass pass, WindowBuffer buffer)
    {
        buffer.Count = 0;
        bool more;
        while ((more = Fill(pass, buffer)) && buffer.Count < buffer.Capacity) { }
        return more;
    }

    /// <summary>Reads up to one chunk of rows into <paramref name="buffer"/>, keeping the training ones; returns false at the end of the pass.</summary>
    private bool Fill(IRowStreamPass pass, WindowBuffer buffer)
    {
        _cancellation.ThrowIfRequested();
        int width = FeatureCount, targetWidth = TargetWidth, at = buffer.Count;
        int room = Math.Min(ReadRows, buffer.Capacity - at);
        int read = pass.Read(buffer.Features.AsSpan(at * width), buffer.Targets.AsSpan(at * targetWidth), HasWeights ? buffer.Weights.AsSpan(at) : [],
            buffer.Ids.AsSpan(0, room));
        int kept = 0;
        for (int i = 0; i < read; i++)
        {
            if (_heldOut.Count > 0 && _heldOut.Contains(buffer.Ids[i])) continue;
            if (kept != i)
            {
                int from = at + i, to = at + kept;
                buffer.Features.AsSpan(from * width, width).CopyTo(buffer.Features.AsSpan(to * width, width));
                buffer.Targets.AsSpan(from * targetWidth, targetWidth).CopyTo(buffer.Targets.AsSpan(to * targetWidth, targetWidth));
                if (HasWeights) buffer.Weights[to] = buffer.Weights[from];
            }
            kept++;
        }
        buffer.Count += kept;
        return read > 0;
    }

    private int[] Shuffled(int count, Numerics.Xoshiro256StarStar random)
    {
        if (!_orders.TryGetValue(count, out int[]? order)) _orders[count] = order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order);
        return order;
    }

    /// <summary>The source order's seed for an epoch, apart from the member's generator (whose draws stay those of in-memory training).</summary>
    private int EpochSeed(int epoch)
        => (int)(Numerics.Xoshiro256StarStar.Mix(unchecked((ulong)_shuffleSeed + (ulong)epoch * 0x9E3779B97F4A7C15UL)) >> 33);

    public void CopyRows(ReadOnlySpan<int> rows, Span<float> features, Span<float> targets, Span<float> weights)
    {
        int width = FeatureCount, targetWidth = TargetWidth;
        WindowBuffer buffer = _current;
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            buffer.Features.AsSpan(row * width, width).CopyTo(features.Slice(i * width, width));
            buffer.Targets.AsSpan(row * targetWidth, targetWidth).CopyTo(targets.Slice(i * targetWidth, targetWidth));
            if (HasWeights) weights[i] = buffer.Weights[row];
        }
    }

    /// <summary>One window's rows: features, targets, weights (empty without), the identities of the last chunk read, and how many rows it holds.</summary>
    private sealed class WindowBuffer(int capacity, IRowStream stream)
    {
        public int Capacity { get; } = capacity;
        public float[] Features { get; } = new float[(long)capacity * stream.FeatureCount];
        public float[] Targets { get; } = new float[(long)capacity * stream.TargetWidth];
        public float[] Weights { get; } = stream.HasWeights ? new float[capacity] : [];
        public ulong[] Ids { get; } = new ulong[ReadRows];
        public int Count { get; set; }
    }
}
