using System.Globalization;
using RControl.Cli.Tests.Support;

namespace RControl.Cli.Tests.Commands;

/// <summary>The start-up and streaming cuts (bench/README.md) keep the output as documented in docs/cli.md.</summary>
public class StartupAndStreamingTests
{
    [Fact]
    public async Task A_large_output_to_a_pipe_arrives_whole_in_order_prefixed_then_the_summary()
    {
        const int count = 200_000;
        var r = await CliProcess.RunAsync("exec", "-t", "local", "--", $"seq 1 {count}; printf 'é 日本\\n'");
        Assert.True(r.ExitCode == 0, r.ExitCode + r.Stderr);
        var lines = r.StdoutLines;
        for (var i = 0; i < count; i++)
        {
            if (lines[i] != "local: " + (i + 1).ToString(CultureInfo.InvariantCulture))
            {
                Assert.Fail($"line {i + 1} is '{lines[i]}'");
            }
        }

        Assert.Equal("local: é 日本", lines[count]);
        Assert.StartsWith("summary: 1 task(s): 1 ok", lines[count + 1], StringComparison.Ordinal);
        Assert.Equal(string.Empty, r.Stderr);
    }

    [Fact]
    public async Task Many_lines_from_two_targets_arrive_complete_in_order_per_target_and_never_mixed_within_a_line()
    {
        const int count = 100_000;
        using var dir = new TempDir();
        var inventory = dir.Write("inventory.hocon", "sessions { one { type = local }, two { type = local } }\n");

        // Lines of several lengths, one past the ASCII copy (64 chars), one not ASCII, one with a raw escape sequence.
        var command = $"seq 1 {count} | awk '{{ if ($1 % 1000 == 0) printf \"%s %0100d\\n\", $1, 0; else if ($1 % 777 == 0) printf \"%s é日本\\033[2J\\n\", $1; else print $1 }}'";
        var r = await CliProcess.RunAsync("exec", "--inventory", inventory, "-t", "one", "-t", "two", "--", command);
        Assert.True(r.ExitCode == 0, r.ExitCode + r.Stderr);
        foreach (var target in new[] { "one", "two" })
        {
            var lines = r.StdoutLines.Where(l => l.StartsWith(target + ": ", StringComparison.Ordinal)).ToList();
            Assert.Equal(count, lines.Count);
            for (var i = 1; i <= count; i++)
            {
                var n = i.ToString(CultureInfo.InvariantCulture);
                var expected = i % 1000 == 0 ? $"{target}: {n} {new string('0', 100)}"
                    : i % 777 == 0 ? $"{target}: {n} é日本\u001b[2J"
                    : $"{target}: {n}";
                if (lines[i - 1] != expected)
                {
                    Assert.Fail($"{target}, line {i}: '{lines[i - 1]}'");
                }
            }
        }

        // Nothing but the two targets' lines before the summary: no line of one cut into a line of the other.
        Assert.Equal(2 * count, r.StdoutLines.TakeWhile(l => !l.StartsWith("summary:", StringComparison.Ordinal)).Count());
    }

    [Fact]
    public async Task A_last_line_without_a_newline_is_printed_whole_on_stdout_and_stderr()
    {
        var r = await CliProcess.RunAsync("exec", "-t", "local", "--combine-stderr", "false", "--", "printf 'one\\ntwo'; printf 'warn\\nlast' >&2");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(["local: one", "local: two"], r.StdoutLines.Take(2));
        Assert.Contains("local: warn\nlocal: last\n", r.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lines_printed_before_a_timeout_kill_are_all_written_before_the_run_ends()
    {
        var r = await CliProcess.RunAsync("exec", "-t", "local", "--timeout", "2s", "--", "seq 1 5000; sleep 30");
        Assert.True(r.ExitCode == 3, r.ExitCode + r.Stderr);
        Assert.Equal(Enumerable.Range(1, 5000).Select(i => $"local: {i}"), r.StdoutLines.Take(5000));
        Assert.Contains(r.StdoutLines.Skip(5000), l => l.StartsWith("summary: 1 task(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_startup_trace_names_the_phases_on_stderr_and_leaves_stdout_alone()
    {
        var plain = await CliProcess.RunAsync("exec", "-t", "local", "--", "echo hi");
        var traced = await CliProcess.RunWithEnvironmentAsync(
            new Dictionary<string, string?> { ["RCONTROL_TRACE_STARTUP"] = "1" }, "exec", "-t", "local", "--", "echo hi");
        Assert.True(traced.ExitCode == 0, traced.ToString());
        Assert.Equal("local: hi", traced.StdoutLines[0]);
        Assert.Equal(plain.StdoutLines.Count, traced.StdoutLines.Count);
        foreach (var phase in new[] { "main", "parsed", "engine started", "commands ended", "exit" })
        {
            Assert.Matches($@"rcontrol: trace: +\d+ ms wall +\d+ ms CPU  {phase}", traced.Stderr);
        }

        Assert.DoesNotContain("trace", plain.Stderr);
    }

    [Fact]
    public async Task A_local_exec_loads_no_json_serializer_and_the_trace_names_what_it_loads()
    {
        var traced = await CliProcess.RunWithEnvironmentAsync(
            new Dictionary<string, string?> { ["RCONTROL_TRACE_STARTUP"] = "1" }, "exec", "-t", "local", "--", "echo hi");
        Assert.True(traced.ExitCode == 0, traced.ToString());
        Assert.Equal("local: hi", traced.StdoutLines[0]);
        Assert.Matches(@"rcontrol: trace: +\d+ ms wall +\d+ ms CPU  loaded Akka\n", traced.Stderr.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("loaded Newtonsoft.Json", traced.Stderr);
    }
}
