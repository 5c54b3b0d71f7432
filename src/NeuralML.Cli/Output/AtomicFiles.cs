namespace NeuralML.Cli.Output;

/// <summary>
/// Outputs written to temporary files beside their targets and moved into place together at the end, so that a failed
/// or interrupted command leaves no half-written file (and leaves an earlier file of the same name as it was).
/// </summary>
public sealed class AtomicFiles : IDisposable
{
    private readonly List<(string Temporary, string Target)> _files = [];

    /// <summary>A new temporary path beside <paramref name="target"/>, to be moved there by <see cref="Commit"/>.</summary>
    public string Add(string target)
    {
        string full = Path.GetFullPath(target);
        string? directory = Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
            throw new CliException($"{target}: the folder {directory} does not exist.");
        string temporary = Path.Combine(directory ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        _files.Add((temporary, full));
        return temporary;
    }

    /// <summary>Moves every written temporary file into place.</summary>
    public void Commit()
    {
        foreach ((string temporary, string target) in _files) File.Move(temporary, target, overwrite: true);
        _files.Clear();
    }

    /// <summary>Deletes the temporary files not committed.</summary>
    public void Dispose()
    {
        foreach ((string temporary, _) in _files)
        {
            try { File.Delete(temporary); }
            catch (IOException) { } // best effort: the command's own error is the one to report
        }
        _files.Clear();
    }
}
