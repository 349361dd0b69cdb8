using System.Text.RegularExpressions;

namespace RControl.Tests.Docs;

/// <summary>
/// docs/promises.md maps each behavioural sentence of README.md and docs/ to the tests that check it: every test it
/// names (<c>`Class.Method`</c>) must exist in tests/, so a renamed or deleted test cannot silently orphan a promise.
/// </summary>
public sealed partial class PromisesMapTests
{
    [Fact]
    public void Every_test_named_in_the_promises_map_exists()
    {
        var root = DocSnippetTests.RepoRoot();
        var map = File.ReadAllText(Path.Combine(root, "docs", "promises.md"));
        var named = TestReference().Matches(map).Select(m => (Class: m.Groups[1].Value, Method: m.Groups[2].Value)).Distinct().ToList();
        Assert.True(named.Count >= 30, $"docs/promises.md names only {named.Count} tests");

        var sources = Directory.GetFiles(Path.Combine(root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText)
            .ToList();
        var missing = named
            .Where(t => !sources.Any(s =>
                Regex.IsMatch(s, $@"\bclass {t.Class}\b") && Regex.IsMatch(s, $@"\b(void|Task)\s+{t.Method}\s*\(")))
            .Select(t => $"{t.Class}.{t.Method}")
            .ToList();
        Assert.True(missing.Count == 0, "docs/promises.md names tests that do not exist: " + string.Join(", ", missing));
    }

    [GeneratedRegex(@"`(\w+(?:Tests|Contract))\.(\w+)`")]
    private static partial Regex TestReference();
}
