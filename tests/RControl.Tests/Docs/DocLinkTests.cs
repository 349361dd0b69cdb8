using System.Text.RegularExpressions;

namespace RControl.Tests.Docs;

/// <summary>Every relative link of README.md and docs/*.md points to a file of the project (anchors are not checked).</summary>
public sealed partial class DocLinkTests
{
    [Fact]
    public void Every_relative_link_of_the_readme_and_the_docs_resolves_to_a_file()
    {
        var root = DocSnippetTests.RepoRoot();
        var pages = new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md"))
            .Concat(Directory.GetFiles(Path.Combine(root, "bench"), "README.md", SearchOption.AllDirectories));
        var broken = new List<string>();
        var checkedLinks = 0;
        foreach (var page in pages)
        {
            foreach (Match link in RelativeLink().Matches(File.ReadAllText(page)))
            {
                checkedLinks++;
                var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, link.Groups[1].Value));
                if (!File.Exists(target) && !Directory.Exists(target))
                {
                    broken.Add($"{Path.GetRelativePath(root, page)}: ({link.Groups[1].Value})");
                }
            }
        }

        Assert.True(checkedLinks >= 5, $"only {checkedLinks} relative links found");
        Assert.True(broken.Count == 0, "links to files that do not exist: " + string.Join(", ", broken));
    }

    // ](path) or ](path#anchor), not http(s):, mailto: or a bare #anchor.
    [GeneratedRegex(@"\]\((?!https?:|mailto:|#)([^)#\s]+)(?:#[^)]*)?\)")]
    private static partial Regex RelativeLink();
}
