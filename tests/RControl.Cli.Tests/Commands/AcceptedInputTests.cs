using System.Diagnostics;
using RControl.Cli.Tests.Support;

namespace RControl.Cli.Tests.Commands;

/// <summary>Valid input that used to be refused or misread, and the small commands (completion, version).</summary>
public class AcceptedInputTests
{
    [Fact]
    public async Task A_copy_block_followed_by_a_comma_and_after_runs_in_order()
    {
        using var dir = new TempDir();
        var source = dir.Write("source.txt", "payload\n");
        var plan = dir.Write("plan.hocon", $$"""
            tasks {
              b { session = local, run = "echo first > {{dir.Path}}/order" }
              c { copy { from = "local:{{source}}", to = "local:{{dir.Path}}/copied.txt" }, after = [b] }
            }
            """);
        var r = await CliProcess.RunAsync("run", plan, "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("payload\n", await File.ReadAllTextAsync(Path.Combine(dir.Path, "copied.txt")));
        var ended = r.Json.ToDictionary(o => o.GetProperty("task").GetString()!, o => o.GetProperty("endedAt").GetDateTimeOffset());
        var started = r.Json.ToDictionary(o => o.GetProperty("task").GetString()!, o => o.GetProperty("startedAt").GetDateTimeOffset());
        Assert.True(started["c"] >= ended["b"], r.ToString());
    }

    [Fact]
    public async Task An_included_file_adds_its_sessions()
    {
        using var dir = new TempDir();
        dir.Write("common.hocon", "sessions { shared { type = local, working-directory = \"/\" } }\n");
        var inventory = dir.Write("inventory.hocon", "include \"common.hocon\"\ngroups { all = [shared] }\n");
        var r = await CliProcess.RunAsync("exec", "--inventory", inventory, "-t", "all", "--", "pwd");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("shared: /", r.StdoutLines[0]);
    }

    [Fact]
    public async Task Option_values_before_double_dash_are_still_options()
    {
        var r = await CliProcess.RunAsync("exec", "-t", "local", "--combine-stderr", "false", "--plain", "--", "echo out; echo err >&2");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("local: out", r.StdoutLines[0]);
        Assert.Contains("local: err", r.Stderr);
    }

    [Fact]
    public async Task Copy_help_lists_only_the_options_copy_uses()
    {
        var r = await CliProcess.RunAsync("copy", "--help");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("--inventory", r.Stdout);
        Assert.Contains("--user", r.Stdout);
        foreach (var commandOnly in new[] { "--timeout", "--expected-exit-code", "--combine-stderr", "--gather", "--diff", "--stdin" })
        {
            Assert.DoesNotContain(commandOnly + " ", r.Stdout);
        }
    }

    [Fact]
    public async Task Plain_output_to_a_pipe_is_every_line_in_order_then_the_summary()
    {
        var r = await CliProcess.RunAsync("exec", "-t", "local", "--", "seq 1 100000");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.StdoutLines;
        Assert.Equal(100_002, lines.Count);
        for (var i = 0; i < 100_000; i++)
        {
            Assert.Equal($"local: {i + 1}", lines[i]);
        }

        Assert.StartsWith("summary: 1 task(s): 1 ok", lines[100_000]);
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        var r = await CliProcess.RunAsync("--version");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", r.Stdout.Trim());
    }

    [Fact]
    public async Task Bash_completion_names_every_command_and_option_and_is_valid_bash()
    {
        var r = await CliProcess.RunAsync("completion", "bash");
        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var word in new[] { "exec", "run", "copy", "daemon", "--target", "--inventory", "--connect-timeout", "--user", "--ask-pass", "--stop-all", "--gather", "complete -o default -F _rcontrol rcontrol" })
        {
            Assert.Contains(word, r.Stdout);
        }

        using var dir = new TempDir();
        var script = dir.Write("rcontrol.bash", r.Stdout);

        // Source it in a real bash and ask for the completions of "rcontrol exec --conn".
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"source {script}; COMP_WORDS=(rcontrol exec --conn); COMP_CWORD=2; _rcontrol; echo \"${{COMPREPLY[@]}}\"");
        var completed = await CliProcess.RunProcessAsync(start);
        Assert.True(completed.ExitCode == 0, completed.ToString());
        Assert.Equal("--connect-timeout", completed.Stdout.Trim());
    }
}
