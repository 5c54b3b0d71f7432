namespace NeuralML.Kernels;

internal static class DenseShape
{
    public static void Check(ReadOnlySpan<float> matrix, int rows, int columns, string name)
    {
        if (rows < 0 || columns < 0) throw new ArgumentOutOfRangeException(name, $"Negative shape ({rows}, {columns}).");
        if ((long)rows * columns > matrix.Length)
            throw new ArgumentException($"{name} holds {matrix.Length} values, fewer than its shape ({rows}, {columns}) needs.", name);
    }
}
