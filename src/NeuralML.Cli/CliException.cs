namespace NeuralML.Cli;

/// <summary>
/// Bad input the user can fix: the message names the file and, where one is to blame, the line and column. The tool
/// prints it and exits with <see cref="Cli.BadInput"/>.
/// </summary>
public sealed class CliException : Exception
{
    /// <summary>Creates the exception from a message that is complete as it stands.</summary>
    public CliException(string message) : base(message) { }

    /// <summary>Creates the exception from a message and the exception behind it.</summary>
    public CliException(string message, Exception inner) : base(message, inner) { }

    /// <summary>A message about one field: "file, line L, column 'name': problem".</summary>
    public static CliException AtField(string file, long line, string column, string problem) =>
        new($"{file}, line {line}, column '{column}': {problem}");

    /// <summary>A message about one line: "file, line L: problem".</summary>
    public static CliException AtLine(string file, long line, string problem) => new($"{file}, line {line}: {problem}");
}
