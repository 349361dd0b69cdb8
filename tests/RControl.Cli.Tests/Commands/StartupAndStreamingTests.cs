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
