using System.Text.RegularExpressions;

namespace NeuralML.Tests.Architecture;

/// <summary>
/// The layers point one way. Each folder under src names a part; a file may use the types declared in its own folder
/// and in the folders listed for it here, and no others. The check reads the sources: it strips comments and strings,
/// then looks for the names of types declared in folders the file's folder may not see.
/// </summary>
public partial class LayerDependencyTests
{
    /// <summary>What each folder may use besides itself. NeuralML (the ML.NET layer) may use all of NeuralML.Core.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["NeuralML.Core/Numerics"] = [],
        ["NeuralML.Core/Kernels"] = [],
        ["NeuralML.Core/Network"] = ["NeuralML.Core/Kernels", "NeuralML.Core/Numerics"],
        ["NeuralML.Core/Training"] = ["NeuralML.Core/Network", "NeuralML.Core/Kernels", "NeuralML.Core/Numerics"],
        ["NeuralML/Bridge"] = [.. Core],
        ["NeuralML/Columns"] = [.. Core, "NeuralML/Bridge"],
        ["NeuralML/Model"] = [.. Core, "NeuralML/Columns"],
        ["NeuralML/Persistence"] = [.. Core, "NeuralML/Model", "NeuralML/Columns", "NeuralML/Bridge"],
        ["NeuralML/Scoring"] = [.. Core, "NeuralML/Model", "NeuralML/Columns", "NeuralML/Persistence"],
        ["NeuralML/Reading"] = [.. Core, "NeuralML/Columns"],
        ["NeuralML/Onnx"] = [.. Core, "NeuralML/Scoring", "NeuralML/Model", "NeuralML/Columns", "NeuralML/Bridge"],
        ["NeuralML/Trainers"] = [.. Core, "NeuralML/Scoring", "NeuralML/Model", "NeuralML/Columns", "NeuralML/Reading", "NeuralML/Bridge"],
        // The command-line tool is one part on top of the library (whose public API alone it can reach: it has no
        // InternalsVisibleTo); nothing in the library may use it.
        ["NeuralML.Cli"] = [.. Library, .. Tool],
        ["NeuralML.Cli/Data"] = [.. Library, .. Tool],
        ["NeuralML.Cli/Commands"] = [.. Library, .. Tool],
        ["NeuralML.Cli/Output"] = [.. Library, .. Tool],
    };

    private static string[] Library => [.. Core, "NeuralML/Bridge", "NeuralML/Columns", "NeuralML/Model", "NeuralML/Persistence", "NeuralML/Scoring",
        "NeuralML/Reading", "NeuralML/Onnx", "NeuralML/Trainers"];

    private static string[] Tool => ["NeuralML.Cli", "NeuralML.Cli/Data", "NeuralML.Cli/Commands", "NeuralML.Cli/Output"];

    private static string[] Core => ["NeuralML.Core/Numerics", "NeuralML.Core/Kernels", "NeuralML.Core/Network", "NeuralML.Core/Training"];

    [Fact]
    public void No_file_uses_a_folder_its_layer_may_not_see()
    {
        string src = Path.Combine(RepositoryRoot(), "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => (Folder: FolderOf(src, f), Code: CodeOnly(File.ReadAllText(f)), Path: Path.GetRelativePath(src, f)))
            .ToList();
        Assert.All(files, f => Assert.True(Allowed.ContainsKey(f.Folder), $"{f.Path} is in a folder this test does not know: {f.Folder}."));

        // Which folders declare each type name (nested types included).
        var declaredIn = new Dictionary<string, HashSet<string>>();
        foreach (var file in files)
            foreach (Match m in Declaration().Matches(file.Code))
                (declaredIn.TryGetValue(m.Groups[1].Value, out var folders) ? folders : declaredIn[m.Groups[1].Value] = []).Add(file.Folder);

        var violations = new List<string>();
        foreach (var file in files)
        {
            var visible = new HashSet<string>(Allowed[file.Folder]) { file.Folder };
            foreach (string name in Identifier().Matches(file.Code).Select(m => m.Value).Distinct())
            {
                if (!declaredIn.TryGetValue(name, out var folders) || folders.Overlaps(visible)) continue;
                violations.Add($"{file.Path} uses {name} from {string.Join(", ", folders)}");
            }
        }
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void The_check_sees_a_forbidden_use()
    {
        // A kernel that named a network type would be caught.
        string code = CodeOnly("namespace NeuralML.Kernels; // FeedForwardNetwork in a comment is fine\nclass K { void F(FeedForwardNetwork n) { var s = \"NetworkWorkspace\"; } }");
        string[] names = Identifier().Matches(code).Select(m => m.Value).ToArray();
        Assert.Contains("FeedForwardNetwork", names);
        Assert.DoesNotContain("NetworkWorkspace", names);
    }

    private static string FolderOf(string src, string file)
    {
        string[] parts = Path.GetRelativePath(src, file).Split(Path.DirectorySeparatorChar);
        return parts.Length > 2 ? $"{parts[0]}/{parts[1]}" : parts[0];
    }

    /// <summary>The source without comments, string and character literals.</summary>
    private static string CodeOnly(string source) => CommentOrLiteral().Replace(source, " ");

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "NeuralML.sln"))) return directory.FullName;
        throw new DirectoryNotFoundException("The repository root (with NeuralML.sln) is not above the test's directory.");
    }

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@""(?:""""|[^""])*""|""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])'", RegexOptions.Singleline)]
    private static partial Regex CommentOrLiteral();

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?)\s+([A-Z]\w*)")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Identifier();
}
