using System.Diagnostics;
using System.Text.RegularExpressions;
using RControl.Cli.Tests.Support;

namespace RControl.Cli.Tests.Docs;

/// <summary>
/// Every shell snippet of README.md and docs/*.md that can run on one machine runs, with <c>rcontrol</c> standing
/// for the built CLI, and must end with status 0. A block that cannot says why on its fence: <c>```sh remote</c>
/// (other hosts), <c>```sh daemon</c> (a daemon on its fixed port), <c>```sh slow</c> (builds, installs, the test
/// suite or benchmarks: minutes; the tool install has its own test).
/// </summary>
public sealed partial class ShellSnippetTests
{
    private static readonly string[] Reasons = ["remote", "daemon", "slow"];

    /// <summary>One shell block: its page, line and info string.</summary>
    public sealed record Block(string Page, int Line, string Info, string Code)
    {
        public override string ToString() => $"{Page}:{Line}";
    }

    public static TheoryData<string> Runnable()
    {
        var data = new TheoryData<string>();
        foreach (var block in Blocks().Where(b => b.Info == "sh"))
        {
            data.Add(block.ToString());
        }

        return data;
    }

    [Fact]
    public void Every_shell_block_runs_or_says_why_not()
    {
        var blocks = Blocks();
        var bad = blocks.Where(b => b.Info != "sh" && !Reasons.Contains(b.Info["sh ".Length..])).Select(b => $"{b} ```{b.Info}").ToArray();
        Assert.True(bad.Length == 0, "shell blocks with an unknown reason (use sh, sh remote, sh daemon or sh slow): " + string.Join(", ", bad));
        Assert.True(blocks.Count(b => b.Info == "sh") >= 8, $"only {blocks.Count(b => b.Info == "sh")} runnable shell blocks");
    }

    [Theory]
    [MemberData(nameof(Runnable))]
    public async Task Every_shell_snippet_that_can_run_on_one_machine_runs(string where)
    {
        var block = Blocks().Single(b => b.ToString() == where);
        using var dir = new TempDir();

        // The snippets use paths of the source tree (hocon/…) and write beside them: run them in a scratch
        // folder that links to the tree's files.
        foreach (var entry in new[] { "hocon", "src", "docs", "README.md" })
        {
            File.CreateSymbolicLink(Path.Combine(dir.Path, entry), Path.Combine(RepoRoot(), entry));
        }

        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = dir.Path,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"set -e -o pipefail\nrcontrol() {{ dotnet '{CliProcess.Dll}' \"$@\"; }}\n{block.Code}");
        start.Environment["RCONTROL_TLS_PASSWORD"] = "snippet-" + Guid.NewGuid().ToString("N");
        var r = await CliProcess.RunProcessAsync(start);
        Assert.True(r.ExitCode == 0, $"{where}:\n{block.Code}\n{r}");
    }

    private static IReadOnlyList<Block> Blocks()
    {
        var root = RepoRoot();
        var pages = new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Select(p => Path.GetRelativePath(root, p)).Order(StringComparer.Ordinal));
        var blocks = new List<Block>();
        foreach (var page in pages)
        {
            var lines = File.ReadAllLines(Path.Combine(root, page));
            for (var i = 0; i < lines.Length; i++)
            {
                var open = Fence().Match(lines[i]);
                if (!open.Success)
                {
                    continue;
                }

                var end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
                blocks.Add(new Block(page, i + 1, open.Groups[1].Value.Trim(), string.Join('\n', lines[(i + 1)..end])));
                i = end;
            }
        }

        return blocks;
    }

    /// <summary>The source tree: the nearest folder up from the tests holding RControl.sln.</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RControl.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("RControl.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\s*```(sh(?: \w+)?)\s*$")]
    private static partial Regex Fence();
}
