using RControl.Cli.Tests.Support;

namespace RControl.Cli.Tests.Commands;

public class ExecTests
{
    [Fact]
    public async Task Exec_on_local_prints_lines_prefixed_by_target_then_a_summary_and_exits_0()
    {
        var r = await CliProcess.RunAsync("exec", "-t", "local", "--", "echo one; echo two >&2; echo three");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.StdoutLines;
        Assert.Equal(["local: one", "local: two", "local: three"], lines.Take(3));
        Assert.Contains(lines, l => l.StartsWith("summary: 1 task(s): 1 ok", StringComparison.Ordinal));
        Assert.Matches(@"^\s+local\s+ok\s+exit 0\s+(\d+ms|\d+\.\d+s)$", lines.Last()); // a slow machine may take seconds
        Assert.DoesNotContain('\u001b', r.Stdout + r.Stderr);
        Assert.Equal(string.Empty, r.Stderr);
    }

    [Fact]
    public async Task Several_words_after_double_dash_form_the_command()
    {
        var r = await CliProcess.RunAsync("exec", "-t", "local", "--", "echo", "a", "b");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("local: a b", r.StdoutLines[0]);
    }

    [Fact]
    public async Task A_failing_command_exits_1_and_names_the_exit_code()
    {
        var r = await CliProcess.RunAsync("exec", "-t", "local", "--", "echo before; exit 7");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Equal("local: before", r.StdoutLines[0]);
        Assert.Contains("bad exit code: Got 7", r.Stderr);
        Assert.Matches(@"local\s+FAILED\s+exit 7", r.Stdout);
    }

    [Fact]
    public async Task Expected_exit_code_any_or_a_number_counts_as_success()
    {
        var any = CliProcess.RunAsync("exec", "-t", "local", "--expected-exit-code", "any", "--", "exit 5");
        var five = CliProcess.RunAsync("exec", "-t", "local", "--expected-exit-code", "5", "--json", "--", "exit 5");
        Assert.Equal(0, (await any).ExitCode);
        var r = await five;
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(5, r.Json.Single().GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task A_timeout_kills_the_command_and_exits_3()
    {
        var total = CliProcess.RunAsync("exec", "-t", "local", "--timeout", "300ms", "--json", "--", "echo started; sleep 30");
        var idle = CliProcess.RunAsync("exec", "-t", "local", "--output-timeout", "0.3", "--", "echo a; sleep 30");
        var r = await total;
        Assert.True(r.ExitCode == 3, r.ToString());
        var json = r.Json.Single();
        Assert.True(json.GetProperty("timedOut").GetBoolean());
        Assert.Equal("timedOut", json.GetProperty("state").GetString());
        Assert.Contains("timed out after 0.3s", json.GetProperty("error").GetString());
        Assert.True(json.GetProperty("durationMs").GetInt64() < 10_000);
        var o = await idle;
        Assert.True(o.ExitCode == 3, o.ToString());
        Assert.Contains("no output for 0.3s", o.Stdout);
    }

    [Fact]
    public async Task A_failure_wins_over_a_timeout_in_the_exit_status()
    {
        using var dir = new TempDir();
        var inventory = dir.Write("inv.hocon", "sessions {\n a { type = local, working-directory = \"/\" }\n b { type = local }\n}\ngroups { both = [a, b] }\n");
        var r = await CliProcess.RunAsync("exec", "--inventory", inventory, "-t", "both", "--timeout", "0.5", "--", "if [ \"$PWD\" = / ]; then exit 1; else sleep 30; fi");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Matches(@"a\s+FAILED", r.Stdout);
        Assert.Matches(@"b\s+TIMEOUT", r.Stdout);
    }

    [Fact]
    public async Task Json_prints_one_object_per_target_with_the_contract_fields()
    {
        using var dir = new TempDir();
        var inventory = dir.Write("inv.hocon", "sessions {\n a { type = local }\n b { type = local }\n}\ngroups { both = [a, b] }\n");
        var r = await CliProcess.RunAsync("exec", "--inventory", inventory, "-t", "both", "-t", "local", "--json", "--", "echo hi");
        Assert.True(r.ExitCode == 0, r.ToString());
        var objects = r.Json;
        Assert.Equal(["a", "b", "local"], objects.Select(o => o.GetProperty("session").GetString()).Order());
        foreach (var o in objects)
        {
            Assert.Equal("echo hi", o.GetProperty("command").GetString());
            Assert.Equal(0, o.GetProperty("exitCode").GetInt32());
            Assert.False(o.GetProperty("timedOut").GetBoolean());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, o.GetProperty("error").ValueKind);
            var started = o.GetProperty("startedAt").GetDateTimeOffset();
            var ended = o.GetProperty("endedAt").GetDateTimeOffset();
            Assert.True(ended >= started);
            Assert.InRange(o.GetProperty("durationMs").GetInt64(), 0, 60_000);
            Assert.Equal(["hi"], o.GetProperty("output").EnumerateArray().Select(l => l.GetString()));
        }
    }

    [Fact]
    public async Task Gather_groups_identical_outputs_per_target_like_clush()
    {
        using var dir = new TempDir();
        var inventory = dir.Write("inv.hocon", "sessions {\n a { type = local }\n b { type = local }\n c { type = local, working-directory = \"/\" }\n}\n");
        var r = await CliProcess.RunAsync("exec", "--inventory", inventory, "-t", "a,b,c", "-b", "--", "echo same; [ \"$PWD\" = / ] && echo root || echo elsewhere");
        Assert.True(r.ExitCode == 0, r.ToString());
        var text = r.Stdout.ReplaceLineEndings("\n");
        Assert.Contains("a,b (2)\n---------------\nsame\nelsewhere\n", text);
        Assert.Contains("c (1)\n---------------\nsame\nroot\n", text);
        Assert.DoesNotContain("a: same", text);
    }

    [Fact]
    public async Task Fanout_1_runs_targets_one_after_the_other()
    {
        using var dir = new TempDir();
        var inventory = dir.Write("inv.hocon", "sessions {\n a { type = local }\n b { type = local }\n c { type = local }\n}\n");
        var r = await CliProcess.RunAsync("exec", "--inventory", inventory, "-t", "a,b,c", "--fanout", "1", "--json", "--", "sleep 0.2");
        Assert.True(r.ExitCode == 0, r.ToString());
        var spans = r.Json.Select(o => (Start: o.GetProperty("startedAt").GetDateTimeOffset(), End: o.GetProperty("endedAt").GetDateTimeOffset()))
            .OrderBy(s => s.Start).ToArray();
        for (var i = 1; i < spans.Length; i++)
        {
            Assert.True(spans[i].Start >= spans[i - 1].End, $"run {i} started before run {i - 1} ended");
        }
    }

    [Fact]
    public async Task Separate_stderr_goes_to_stderr_prefixed()
    {
        var r = await CliProcess.RunAsync("exec", "-t", "local", "--combine-stderr", "false", "--", "echo out; echo err >&2");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("local: out", r.StdoutLines[0]);
        Assert.Contains("local: err", r.Stderr);
        Assert.DoesNotContain("local: err", r.Stdout);
    }

    [Fact]
    public async Task An_unreachable_ssh_target_fails_with_exit_1_and_names_it()
    {
        // A closed port on loopback: the connection is refused at once.
        var port = RControl.TestSupport.FreePort.GetClosed();
        using var dir = new TempDir();
        var r = await CliProcess.RunAsync("exec", "-t", $"nobody@127.0.0.1:{port}", "--known-hosts", Path.Combine(dir.Path, "kh"), "--json", "--", "true");
        Assert.True(r.ExitCode == 1, r.ToString());
        var o = r.Json.Single();
        Assert.Equal($"nobody@127.0.0.1:{port}", o.GetProperty("session").GetString());
        Assert.False(string.IsNullOrEmpty(o.GetProperty("error").GetString()));
    }
}
