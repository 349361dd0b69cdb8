using RControl.Configuration;
using RControl.Host.Cli;
using RControl.Host.Cli.Output;
using RControl.Host.Cli.Plans;
using RControl.Host.Cli.Running;
using RControl.Host.Cli.Targets;
using RControl.Protocol;

namespace RControl.Cli.Tests.Unit;

public class ParsingTests
{
    [Theory]
    [InlineData("web[01-03].example.com", "web01.example.com,web02.example.com,web03.example.com")]
    [InlineData("db[1,3,5-6]", "db1,db3,db5,db6")]
    [InlineData("r[1-2]n[8-9]", "r1n8,r1n9,r2n8,r2n9")]
    [InlineData("deploy@node[9-10]:2222", "deploy@node9:2222,deploy@node10:2222")]
    [InlineData("plain.example.com", "plain.example.com")]
    public void Host_ranges_expand_in_order(string pattern, string expected) =>
        Assert.Equal(expected.Split(','), HostRange.Expand(pattern));

    [Theory]
    [InlineData("web[3-1]", "goes down")]
    [InlineData("web[1-x]", "'x' is not a number")]
    [InlineData("web[1-2", "'[' without ']'")]
    [InlineData("web[]", "empty range")]
    [InlineData("web[0-99999]", "more than")]
    public void Bad_host_ranges_are_refused(string pattern, string why) =>
        Assert.Contains(why, Assert.Throws<UsageException>(() => HostRange.Expand(pattern)).Message);

    [Fact]
    public void Targets_resolve_local_inventory_groups_user_host_port_and_ranges()
    {
        var inventory = Inventory.Parse("""
            sessions {
              a { type = local }
              b { type = ssh, host = "b.example.com" }
            }
            groups { both = [a, b] }
            """);
        var targets = TargetResolver.Resolve(
            ["local", "both", "deploy@h.example.com:2200", "n[1-2]", "a"],
            inventory,
            new SshDefaults { Identity = "/keys/id", Policy = HostKeyPolicy.AcceptNew, SshConfig = "/nonexistent" });
        Assert.Equal(["local", "a", "b", "deploy@h.example.com:2200", "n1", "n2"], targets.Select(t => t.Name));
        Assert.IsType<LocalSessionSpec>(targets[0].Spec);
        var adHoc = Assert.IsType<SshSessionSpec>(targets[3].Spec);
        Assert.Equal(("h.example.com", "deploy", 2200), (adHoc.Host, adHoc.User, adHoc.Port));
        Assert.Equal(["/keys/id"], adHoc.IdentityFiles);
        Assert.Equal(HostKeyPolicy.AcceptNew, adHoc.HostKeyPolicy);
        Assert.Equal("n1", Assert.IsType<SshSessionSpec>(targets[4].Spec).Host);
    }

    [Fact]
    public void A_bare_unknown_word_is_an_unknown_session_but_an_ssh_config_alias_is_a_host()
    {
        using var dir = new Support.TempDir();
        var config = dir.Write("ssh_config", "Host gandalf frodo\n  HostName 10.0.0.1\nHost *.internal\n");
        var e = Assert.Throws<UsageException>(() => TargetResolver.Resolve(["saruman"], Inventory.Empty, new SshDefaults { SshConfig = config }));
        Assert.Contains("unknown session 'saruman'", e.Message);
        var alias = TargetResolver.Resolve(["frodo"], Inventory.Empty, new SshDefaults { SshConfig = config });
        Assert.Equal("frodo", Assert.IsType<SshSessionSpec>(alias.Single().Spec).Host);
    }

    [Theory]
    [InlineData("5", 5000)]
    [InlineData("1.5", 1500)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120000)]
    [InlineData("3 s", 3000)]
    public void Durations_parse_as_seconds_or_hocon(string text, double ms) =>
        Assert.Equal(TimeSpan.FromMilliseconds(ms), DurationText.Parse("--timeout", text));

    [Theory]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("soon")]
    public void Bad_durations_are_refused(string text) =>
        Assert.StartsWith("--timeout", Assert.Throws<UsageException>(() => DurationText.Parse("--timeout", text)).Message);

    [Theory]
    [InlineData("a {\n b = 1\n", "line 1: '{' is never closed")]
    [InlineData("a = 1\n}\n", "line 2: unexpected '}'")]
    [InlineData("a = [1, 2}\n", "line 1: expected ']'")]
    [InlineData("a = 1\nb = \"open\n", "line 2: unterminated string")]
    public void Hocon_structure_errors_name_the_line(string text, string expected) =>
        Assert.StartsWith(expected, RControl.Configuration.HoconSource.CheckStructure(text));

    [Fact]
    public void Sound_hocon_passes_the_structure_check() =>
        Assert.Null(RControl.Configuration.HoconSource.CheckStructure("# {\na { b = \"}\" , c = [1, 2], d = ${?HOME}, e = \"\"\"x\n}\"\"\" }\n// ]\n"));

    [Fact]
    public void Plans_read_list_and_object_forms_with_task_options()
    {
        var plan = PlanParser.Parse("""
            sessions { s { type = local } }
            groups { g = [s] }
            tasks {
              A { session = s, run = "echo a", timeout = 2s, output-timeout = 500ms, expected-exit-code = null, combine-stderr = false }
              B { group = g, after = [A], run = "echo b", expected-exit-code = 3 }
              C { session = local, after = B, copy { from = "s:/tmp/x", to = "local:/tmp/y" } }
            }
            """, "test");
        Assert.Equal(["A", "B", "C"], plan.Graph.Names);
        var a = plan["A"];
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500), (int?)null, (bool?)false), (a.Timeout, a.OutputTimeout, a.ExpectedExitCode, a.CombineStderr));
        Assert.Equal(3, plan["B"].ExpectedExitCode);
        Assert.Equal(new CopySpec("s:/tmp/x", "local:/tmp/y"), plan["C"].Copy);
        Assert.Equal(["B"], plan["C"].After);
    }

    [Theory]
    [InlineData("tasks = [ { name = A, session = local } ]", "give exactly one of 'run' or 'copy'")]
    [InlineData("tasks = [ { name = A, run = x } ]", "give exactly one of 'session' or 'group'")]
    [InlineData("tasks = [ { session = local, run = x } ]", "tasks[1] has no 'name'")]
    [InlineData("tasks = [ { name = A, session = local, run = x, aftr = [] } ]", "unknown key(s) aftr")]
    [InlineData("tasks = [ { name = A, session = local, run = x, timeout = -1s } ]", "task 'A': 'timeout'")]
    [InlineData("tasks = [ { name = A, session = local, copy { from = \"local:/a\", to = \"ghost:/b\" } } ]", "unknown session 'ghost'")]
    [InlineData("sessions { s { type = teleport } }\ntasks = [ { name = A, session = s, run = x } ]", "unknown type 'teleport'")]
    [InlineData("sessions { }", "no tasks")]
    [InlineData("a = 1\nsessions { a { type = local }, b { type = local } }\n", "test:1: unknown key 'a'")]
    public void Bad_plans_are_refused_with_the_problem(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<UsageException>(() => PlanParser.Parse(text, "test")).Message);

    [Theory]
    [InlineData("tasks {\n  A { session = local, run = x }\n  B { session = local, run = y }\n  A { session = local, run = z }\n}\n", "duplicate task name 'A' (test: line 4)")]
    [InlineData("tasks {\n A { session = local, run = x }\n \"A\" = { session = local, run = y } }", "duplicate task name 'A' (test: line 3)")]
    [InlineData("tasks { A { session = local, run = x } }\ntasks { A.after = [] }", "duplicate task name 'A' (test: line 2)")]
    public void Duplicate_task_names_in_the_object_form_are_refused(string text, string expected) =>
        Assert.Equal(expected, Assert.Throws<UsageException>(() => PlanParser.Parse(text, "test")).Message);

    [Fact]
    public void Nested_keys_with_the_same_name_are_not_duplicates()
    {
        var text = "# tasks { A {} A {} }\ntasks {\n  A { session = local, run = \"echo {A}\", copy-note = 1 }\n  B { session = local, run = \"x\", after = [A] }\n}\nother { A = 1, A = 2 }\n";
        Assert.Empty(RControl.Configuration.HoconSource.Duplicates(text, "tasks"));
        Assert.Equal([("A", 6)], RControl.Configuration.HoconSource.Duplicates(text, "other"));
    }

    [Fact]
    public void Gathering_groups_identical_outputs_in_order_of_appearance()
    {
        RunUnit Unit(string name, params string[] lines)
        {
            var unit = new RunUnit(name, "cmd") { State = RunState.Succeeded };
            foreach (var line in lines)
            {
                unit.AddLine(OutputStream.Stdout, line);
            }

            return unit;
        }

        var groups = Gathering.Build([Unit("a", "x", "y"), Unit("b", "z"), Unit("c", "x", "y")]);
        Assert.Equal(2, groups.Count);
        Assert.Equal(["a", "c"], groups[0].Labels);
        Assert.Equal(["x", "y"], groups[0].Lines);
        Assert.Equal(["b"], groups[1].Labels);
    }

    [Theory]
    [InlineData(0.0, "░░░░░░░░░░   0%")]
    [InlineData(0.5, "█████░░░░░  50%")]
    [InlineData(1.0, "██████████ 100%")]
    public void Copy_progress_draws_a_bar(double fraction, string expected) =>
        Assert.Equal(expected, LiveView.ProgressBar(fraction));

    [Fact]
    public void Exit_status_is_failed_over_timed_out_over_success()
    {
        RunUnit U(RunState s) => new("x", "c") { State = s };
        Assert.Equal(0, RunUnit.ExitStatus([U(RunState.Succeeded)]));
        Assert.Equal(3, RunUnit.ExitStatus([U(RunState.Succeeded), U(RunState.TimedOut)]));
        Assert.Equal(1, RunUnit.ExitStatus([U(RunState.TimedOut), U(RunState.Failed), U(RunState.Skipped)]));
    }
}

public class ExampleFilesTests
{
    private static string Examples()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RControl.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir!.FullName, "hocon", "examples");
    }

    [Theory]
    [InlineData("tutorial.hocon", 7)]
    [InlineData("deploy.hocon", 5)]
    public void Example_plans_parse(string file, int tasks) =>
        Assert.Equal(tasks, PlanParser.ParseFile(Path.Combine(Examples(), file)).Tasks.Count);

    [Fact]
    public void The_example_inventory_parses()
    {
        var inventory = InventoryFiles.Load(Path.Combine(Examples(), "inventory.hocon"));
        Assert.Equal(["builder", "tester"], inventory.Groups["workers"]);
        Assert.Equal("web2.example.com", Assert.IsType<SshSessionSpec>(inventory.Sessions["web2"]).Host);
    }
}
