using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RControl.Tests.Docs;

/// <summary>
/// Every C# snippet of README.md and docs/*.md compiles against the current code. Each block is compiled on its own
/// as a top-level program; names a block uses without declaring (<c>rc</c>, <c>web1</c>, <c>builder</c>, … from an
/// earlier block of the same page) are declared by <see cref="Prelude"/>.
/// </summary>
public sealed partial class DocSnippetTests
{
    private static readonly (string Name, string Declaration)[] Prelude =
    [
        ("rc", "RControl.RControlSystem rc = null!;"),
        ("local", "RControl.LocalSession local = null!;"),
        ("web1", "RControl.Session web1 = null!;"),
        ("web2", "RControl.Session web2 = null!;"),
        ("session", "RControl.Session session = null!;"),
        ("builder", "Microsoft.Extensions.Hosting.HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();"),
        ("engine", "RControl.Remote.RemoteEngine engine = null!;"),
    ];

    private static readonly string[] FixedNamespaces =
    [
        "System", "System.IO", "System.Linq", "System.Collections.Generic", "System.Threading", "System.Threading.Tasks",
        "Akka.Hosting", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Configuration",
    ];

    public static TheoryData<string> Pages()
    {
        var data = new TheoryData<string>();
        foreach (var page in DocPages())
        {
            data.Add(page);
        }

        return data;
    }

    [Fact]
    public void The_readme_and_the_docs_have_csharp_snippets() =>
        Assert.True(DocPages().Sum(page => Blocks(File.ReadAllText(Path.Combine(RepoRoot(), page))).Count) >= 10);

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_csharp_snippet_compiles(string page)
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot(), page));
        var failures = new List<string>();
        var blocks = Blocks(text);
        for (var i = 0; i < blocks.Count; i++)
        {
            var errors = Compile(blocks[i].Code);
            if (errors.Count > 0)
            {
                failures.Add($"{page}:{blocks[i].Line}: snippet {i + 1} does not compile:\n  {string.Join("\n  ", errors)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static IReadOnlyList<string> Compile(string block)
    {
        var lines = block.Split('\n');
        var usings = lines.Where(l => UsingDirective().IsMatch(l)).ToList();
        var body = string.Join('\n', lines.Where(l => !UsingDirective().IsMatch(l)));
        var prelude = Prelude.Where(p => Regex.IsMatch(body, $@"\b{p.Name}\b") && !Declares(body, p.Name)).Select(p => p.Declaration);
        var namespaces = FixedNamespaces.Concat(RControlNamespaces()).Select(n => $"using {n};");
        var source = string.Join('\n', namespaces.Concat(usings).Distinct().Concat(prelude).Append("#line 1").Append(body));
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Preview))],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics()
            // CS4014: a command task left un-awaited must be discarded on purpose (`_ = session.Execute(…)`).
            .Where(d => d.Severity == DiagnosticSeverity.Error || d.Id == "CS4014")
            .Select(d => d.ToString())
            .ToList();
    }

    private static bool Declares(string body, string name) =>
        Regex.IsMatch(body, $@"\b(var|using var|await using var)\s+{name}\b|\b[A-Z]\w*\??\s+{name}\s*=|\(var {name}\b|\bvar \({name}\b");

    private static IEnumerable<string> RControlNamespaces() =>
        new[] { typeof(RControlSystem).Assembly, typeof(RControl.TestSupport.SshServer).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(n => n.StartsWith("RControl", StringComparison.Ordinal))
            .Distinct()
            .Order(StringComparer.Ordinal);

    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Concat(AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.Location.Length > 0).Select(a => a.Location))
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(IsManagedAssembly)
            .DistinctBy(Path.GetFileName)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray());

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    private static List<(int Line, string Code)> Blocks(string markdown)
    {
        var blocks = new List<(int, string)>();
        var lines = markdown.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimEnd() != "```csharp")
            {
                continue;
            }

            var start = i + 1;
            var end = start;
            while (end < lines.Length && lines[end].TrimEnd() != "```")
            {
                end++;
            }

            blocks.Add((start + 1, string.Join('\n', lines[start..end])));
            i = end;
        }

        return blocks;
    }

    private static IEnumerable<string> DocPages()
    {
        var root = RepoRoot();
        return new[] { "README.md" }
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Select(f => Path.GetRelativePath(root, f)))
            .Order(StringComparer.Ordinal);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RControl.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("RControl.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^using [A-Za-z][\w.]*;\s*$")]
    private static partial Regex UsingDirective();
}
