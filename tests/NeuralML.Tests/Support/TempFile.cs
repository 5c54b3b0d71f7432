namespace NeuralML.Tests.Support;

/// <summary>A path in the temporary folder, unique to one test, deleted (if the test created it) on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    public TempFile(string extension) => Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"neuralml-{Guid.NewGuid():N}{extension}");

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
