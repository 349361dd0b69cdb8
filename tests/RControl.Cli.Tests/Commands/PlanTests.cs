using System.Diagnostics;
using System.Text.Json;
using RControl.Cli.Tests.Support;

namespace RControl.Cli.Tests.Commands;

public class PlanTests
{
    private static string Tutorial => Path.GetFullPath(Path.Combine(RepoRoot(), "hocon", "examples", "tutorial.hocon"));

    [Fact]
    public async Task The_tutorial_plan_runs_its_graph_in_order()
    {
        var r = await CliProcess.RunAsync("run", Tutorial, "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var tasks = r.Json.ToDictionary(o => o.GetProperty("task").GetString()!);
        Assert.Equal(["T1", "T11", "T12", "T2", "T3", "T4", "T5"], tasks.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("atlas2", tasks["T1"].GetProperty("session").GetString());
        Assert.Equal("bilbo", tasks["T2"].GetProperty("session").GetString());
        Assert.Equal("nazgul", tasks["T3"].GetProperty("session").GetString());
        DateTimeOffset Start(string t) => tasks[t].GetProperty("startedAt").GetDateTimeOffset();
        DateTimeOffset End(string t) => tasks[t].GetProperty("endedAt").GetDateTimeOffset();
        void After(string task, params string[] dependencies)
        {
            foreach (var d in dependencies)
            {
                Assert.True(Start(task) >= End(d), $"{task} started at {Start(task):O} before {d} ended at {End(d):O}");
            }
        }

        After("T11", "T1");
        After("T12", "T1");
        After("T4", "T11", "T12", "T2");
        After("T5", "T4", "T3");

        // T1, T2 and T3 ran in parallel: each started before the others ended.
        foreach (var (a, b) in new[] { ("T1", "T2"), ("T1", "T3"), ("T2", "T3") })
        {
            Assert.True(Start(a) < End(b) && Start(b) < End(a), $"{a} and {b} did not overlap");
        }

        Assert.All(tasks.Values, o => Assert.Equal(0, o.GetProperty("exitCode").GetInt32()));
    }

    [Fact]
    public async Task The_tutorial_plan_in_plain_mode_streams_prefixed_lines_and_a_summary_without_escape_codes()
    {
        var r = await CliProcess.RunAsync("run", Tutorial);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("T1@atlas2: T1: fetching sources", r.StdoutLines);
        Assert.Contains("T5@nazgul: T5: deployed", r.StdoutLines);
        Assert.Contains("summary: 7 task(s): 7 ok", r.StdoutLines);
        Assert.True(r.StdoutLines.ToList().IndexOf("T5@nazgul: T5: deployed") < r.StdoutLines.ToList().IndexOf("summary: 7 task(s): 7 ok"));
        Assert.DoesNotContain('\u001b', r.Stdout + r.Stderr);
    }

    [Fact]
    public async Task A_task_starts_as_soon_as_its_own_dependencies_succeeded_not_in_waves()
    {
        // `slow` can only end once `child` (after `quick`) has run: a runner that waited for the whole first
        // "wave" (quick and slow) before starting child would deadlock, and slow would time out.
        using var dir = new TempDir();
        var flag = Path.Combine(dir.Path, "flag");
        var plan = dir.Write("plan.hocon", $$"""
            tasks = [
              { name = quick, session = local, run = "true" }
              { name = slow, session = local, run = "while [ ! -f {{flag}} ]; do sleep 0.05; done", timeout = 60s }
              { name = child, session = local, after = [quick], run = "touch {{flag}}" }
              { name = last, session = local, after = [slow, child], run = "echo last" }
            ]
            """);
        var r = await CliProcess.RunAsync("run", plan, "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var tasks = r.Json.ToDictionary(o => o.GetProperty("task").GetString()!);
        Assert.True(tasks["child"].GetProperty("startedAt").GetDateTimeOffset() < tasks["slow"].GetProperty("endedAt").GetDateTimeOffset());
        Assert.Equal("succeeded", tasks["last"].GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_failing_task_stops_only_its_dependents()
    {
        using var dir = new TempDir();
        var plan = dir.Write("plan.hocon", """
            tasks = [
              { name = bad, session = local, run = "echo failing; exit 4" }
              { name = slow, session = local, run = "sleep 0.5; echo slow done" }
              { name = child, session = local, after = [bad], run = "touch child-ran" }
              { name = grandchild, session = local, after = [child], run = "touch grandchild-ran" }
              { name = sibling, session = local, after = [slow], run = "echo sibling ran" }
            ]
            """);
        var r = await CliProcess.RunInAsync(dir.Path, "run", plan, "--json");
        Assert.True(r.ExitCode == 1, r.ToString());
        var tasks = r.Json.ToDictionary(o => o.GetProperty("task").GetString()!);
        Assert.Equal("failed", tasks["bad"].GetProperty("state").GetString());
        Assert.Equal("bad exit code: Got 4", tasks["bad"].GetProperty("error").GetString());
        Assert.Equal("succeeded", tasks["slow"].GetProperty("state").GetString());
        Assert.Equal("succeeded", tasks["sibling"].GetProperty("state").GetString());
        Assert.Equal(["sibling ran"], tasks["sibling"].GetProperty("output").EnumerateArray().Select(e => e.GetString()));
        foreach (var skipped in new[] { "child", "grandchild" })
        {
            Assert.Equal("skipped", tasks[skipped].GetProperty("state").GetString());
            Assert.Equal("dependency 'bad' failed", tasks[skipped].GetProperty("error").GetString());
            Assert.Equal(JsonValueKind.Null, tasks[skipped].GetProperty("startedAt").ValueKind);
        }

        Assert.False(File.Exists(Path.Combine(dir.Path, "child-ran")));
        Assert.False(File.Exists(Path.Combine(dir.Path, "grandchild-ran")));
    }

    [Fact]
    public async Task Stop_all_stops_everything_after_a_failure()
    {
        using var dir = new TempDir();
        var plan = dir.Write("plan.hocon", """
            tasks = [
              { name = bad, session = local, run = "exit 1" }
              { name = long, session = local, run = "sleep 300" }
              { name = later, session = local, after = [long], run = "touch later-ran" }
            ]
            """);
        var watch = Stopwatch.StartNew();
        var r = await CliProcess.RunInAsync(dir.Path, "run", plan, "--json", "--stop-all");
        Assert.True(r.ExitCode == 1, r.ToString());
        // Killed, not run to its end: a 300 s sleep leaves a loaded machine's CLI start and kill plenty of room (it was
        // 30 s against a 25 s bound).
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"the running task was not killed (the run took {watch.Elapsed})");
        var tasks = r.Json.ToDictionary(o => o.GetProperty("task").GetString()!);
        Assert.Equal("failed", tasks["long"].GetProperty("state").GetString());
        Assert.Equal("killed", tasks["long"].GetProperty("error").GetString());
        Assert.Equal("skipped", tasks["later"].GetProperty("state").GetString());
        Assert.False(File.Exists(Path.Combine(dir.Path, "later-ran")));
    }

    [Fact]
    public async Task A_group_task_runs_on_every_member_and_a_plan_timeout_exits_3()
    {
        using var dir = new TempDir();
        var plan = dir.Write("plan.hocon", """
            sessions {
              a { type = local }
              b { type = local }
            }
            groups { web = [a, b] }
            tasks = [
              { name = hello, group = web, run = "echo hello" }
              { name = slow, session = a, after = [hello], run = "sleep 30", output-timeout = 300ms }
              { name = any, session = b, run = "exit 9", expected-exit-code = null }
            ]
            """);
        var r = await CliProcess.RunAsync("run", plan, "--json");
        Assert.True(r.ExitCode == 3, r.ToString());
        var results = r.Json;
        Assert.Equal(["a", "b"], results.Where(o => o.GetProperty("task").GetString() == "hello").Select(o => o.GetProperty("session").GetString()).Order());
        var slow = results.Single(o => o.GetProperty("task").GetString() == "slow");
        Assert.True(slow.GetProperty("timedOut").GetBoolean());
        Assert.Equal(9, results.Single(o => o.GetProperty("task").GetString() == "any").GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task The_inventory_option_supplies_sessions_to_a_plan()
    {
        using var dir = new TempDir();
        var inventory = dir.Write("inv.hocon", "rcontrol {\n sessions { shire { type = local } }\n}\n");
        var plan = dir.Write("plan.hocon", "tasks = [ { name = A, session = shire, run = \"echo from the shire\" } ]\n");
        var r = await CliProcess.RunAsync("run", plan, "--inventory", inventory);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("A@shire: from the shire", r.StdoutLines);
    }

    [Fact]
    public async Task On_a_terminal_the_live_view_draws_and_ends_with_a_summary_table()
    {
        // `script` gives the CLI a pseudo-terminal, as a user's terminal would.
        var start = new ProcessStartInfo("script")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-qec", $"dotnet {CliProcess.Dll} run {Tutorial}", "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["TERM"] = "xterm-256color";
        start.Environment["COLUMNS"] = "120";
        var r = await CliProcess.RunProcessAsync(start);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains('\u001b', r.Stdout);
        Assert.Contains("summary", r.Stdout);
        Assert.Contains("T5: deployed", r.Stdout);
        Assert.Contains("done", r.Stdout);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RControl.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("RControl.sln not found above " + AppContext.BaseDirectory);
    }
}
