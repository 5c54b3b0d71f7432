using System.Numerics;
using System.Runtime.CompilerServices;
using Microsoft.ML.Data;
using NeuralML.Training;

namespace NeuralML.Reading;

/// <summary>
/// The feature rows of a training set as they are read: in CSR form while the non-zeros seen so far could still end
/// below <see cref="SparseInput"/>'s density (counted against the rows expected), densely from the moment they cannot
/// (the rows so far are then written out densely once). <see cref="Build"/> makes the set in the form the rule chose
/// on the measured density of all the rows.
/// <para>
/// Rows that are plainly dense (over <see cref="GuessDenseDensity"/> in the first <see cref="GuessAfterRows"/>) are
/// written densely before the count proves the rule's answer, when the caller allows it (the dense copy of every
/// expected row fits its budget): proving it on Fashion-MNIST's 784 slots took the first 6,000 rows through the CSR
/// arrays, a third of the whole read. Their non-zeros are still counted until the proof comes; a set that ends
/// sparse after all is converted to CSR in <see cref="Build"/>, so the form is always the rule's.
/// </para>
/// </summary>
internal sealed class FeatureAccumulator
{
    /// <summary>Rows read sparsely before their density may decide to go dense early.</summary>
    public const int GuessAfterRows = 256;

    /// <summary>Four times the rule's density: a set whose first rows are this dense is all but certainly dense.</summary>
    public const double GuessDenseDensity = 4 * SparseInput.MaxDensity;

    private readonly int _width;
    private readonly long _expectedRows;
    private readonly bool _mayGuessDense;
    private float[] _dense = [];
    private float[] _values = [];
    private int[] _indices = [];
    private int[] _offsets;
    private long _nonZeros;
    private int _rows;
    private bool _sparse;
    // Dense by the early guess, and the count has not yet proven the rule would have gone dense.
    private bool _guessedDense;
    private PrefaultedArray? _prefaulting;

    /// <param name="width">Slots per row.</param>
    /// <param name="expectedRows">The rows the view says it has (0 when it does not know).</param>
    /// <param name="mayGuessDense">Whether plainly dense rows may be written densely before the count proves it (the dense copy of the expected rows must fit the caller's budget).</param>
    public FeatureAccumulator(int width, long expectedRows, bool mayGuessDense = false)
    {
        _width = width;
        _expectedRows = expectedRows;
        _mayGuessDense = mayGuessDense && expectedRows > 0;
        _sparse = width >= SparseInput.MinColumns;
        _offsets = _sparse ? new int[Math.Min(expectedRows, Array.MaxLength - 1) + 1] : [];
        if (!_sparse) _dense = new float[Math.Min(expectedRows, Array.MaxLength / Math.Max(width, 1)) * width];
    }

    /// <summary>Whether the rows so far are held sparse.</summary>
    public bool IsSparse => _sparse;

    /// <summary>The rows added so far.</summary>
    public int Rows => _rows;

    /// <summary>Appends a row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(in VBuffer<float> row)
    {
        if (_sparse)
        {
            AddSparse(row);
            if (!SparseInput.IsSparse(Math.Max(_expectedRows, _rows), _width, _nonZeros)) Densify();
            else if (_mayGuessDense && _rows == GuessAfterRows && _nonZeros > GuessDenseDensity * _rows * _width)
            {
                Densify();
                _guessedDense = true;
            }
            return;
        }
        if ((long)(_rows + 1) * _width > _dense.Length) Array.Resize(ref _dense, Grow(_dense.Length / _width, Array.MaxLength / _width) * _width);
        row.CopyTo(_dense.AsSpan(_rows * _width, _width));
        _rows++;
        if (_guessedDense)
        {
            _nonZeros += NonZeros(row.GetValues());
            if (!SparseInput.IsSparse(Math.Max(_expectedRows, _rows), _width, _nonZeros)) _guessedDense = false;
        }
    }

    /// <summary>The set of the rows added, with these targets and weights (as many rows as were added).</summary>
    public InMemoryTrainingSet Build(float[] targets, float[]? weights)
    {
        if (_sparse)
        {
            Array.Resize(ref _offsets, _rows + 1);
            int nnz = (int)_nonZeros;
            if (_values.Length != nnz)
            {
                Array.Resize(ref _values, nnz);
                Array.Resize(ref _indices, nnz);
            }
            return new InMemoryTrainingSet(new SparseFeatures(_values, _indices, _offsets, _width), targets, weights, trainerMayModify: true);
        }
        _prefaulting?.Finish();
        if (_guessedDense) return new InMemoryTrainingSet(DenseToSparse(), targets, weights, trainerMayModify: true);
        if (_dense.Length != (long)_rows * _width) Array.Resize(ref _dense, _rows * _width);
        return new InMemoryTrainingSet(_dense, targets, weights, _width, trainerMayModify: true);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddSparse(in VBuffer<float> row)
    {
        ReadOnlySpan<float> values = row.GetValues();
        ReadOnlySpan<int> indices = row.IsDense ? [] : row.GetIndices();
        if (_nonZeros + values.Length > Array.MaxLength) throw new InvalidOperationException($"The training data has more non-zero features than one in-memory copy can hold ({_nonZeros}).");
        if (_values.Length < _nonZeros + values.Length)
        {
            int capacity = (int)Math.Min(Array.MaxLength, Math.Max(_nonZeros + values.Length, 2L * _values.Length + 1024));
            Array.Resize(ref _values, capacity);
            Array.Resize(ref _indices, capacity);
        }
        if (_rows + 1 >= _offsets.Length) Array.Resize(ref _offsets, Grow(_offsets.Length - 1, Array.MaxLength - 1) + 1);
        int at = (int)_nonZeros;
        for (int k = 0; k < values.Length; k++)
        {
            // Stored zeros are dropped: the density the rule measures is that of the values that count.
            if (values[k] == 0f) continue;
            _values[at] = values[k];
            _indices[at] = indices.IsEmpty ? k : indices[k];
            at++;
        }
        _nonZeros = at;
        _rows++;
        _offsets[_rows] = at;
    }

    /// <summary>Leaves the sparse form: the rows so far are written out densely, and the next ones are added densely.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Densify()
    {
        long capacity = Math.Min(Math.Max(_expectedRows, _rows), Array.MaxLength / _width);
        if (capacity < _rows) throw new InvalidOperationException($"The training data has more rows than one in-memory copy can hold ({_rows}).");
        // The copy of a big data set is hundreds of megabytes of fresh pages: the other cores fault them in while this
        // thread reads (rows from _rows on are written whole by Add; the rows so far are cleared, then scattered).
        var fresh = new PrefaultedArray(capacity * _width);
        _dense = fresh.Array;
        _prefaulting = fresh;
        _dense.AsSpan(0, _rows * _width).Clear();
        for (int r = 0; r < _rows; r++)
            for (int k = _offsets[r]; k < _offsets[r + 1]; k++) _dense[(long)r * _width + _indices[k]] = _values[k];
        (_values, _indices, _offsets, _sparse) = ([], [], [], false);
    }

    /// <summary>The dense rows in CSR form (the early guess was wrong: every row kept the rule's sparse answer).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private SparseFeatures DenseToSparse()
    {
        var values = new float[_nonZeros];
        var indices = new int[_nonZeros];
        var offsets = new int[_rows + 1];
        int at = 0;
        for (int r = 0; r < _rows; r++)
        {
            ReadOnlySpan<float> row = _dense.AsSpan(r * _width, _width);
            for (int j = 0; j < row.Length; j++)
            {
                if (row[j] == 0f) continue;
                values[at] = row[j];
                indices[at] = j;
                at++;
            }
            offsets[r + 1] = at;
        }
        return new SparseFeatures(values, indices, offsets, _width);
    }

    /// <summary>Values that are not zero (NaN counts: it is not zero), as <see cref="AddSparse"/> counts them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int NonZeros(ReadOnlySpan<float> values)
    {
        int zeros = 0, k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<int> counted = Vector<int>.Zero;
            for (; k <= values.Length - Vector<float>.Count; k += Vector<float>.Count)
                counted -= Vector.Equals(new Vector<float>(values[k..]), Vector<float>.Zero);
            zeros = Vector.Sum(counted);
        }
        for (; k < values.Length; k++) zeros += values[k] == 0f ? 1 : 0;
        return values.Length - zeros;
    }

    private static int Grow(int rows, long limit)
    {
        long capacity = Math.Min((long)Math.Max(rows, 1) * 2, limit);
        if (capacity <= rows) throw new InvalidOperationException($"The training data has more rows than one in-memory copy can hold ({rows}).");
        return (int)capacity;
    }
}
