using System.Text.Json;
using System.Text.RegularExpressions;
using RControl.Cluster.Tests.Support;
using RControl.TestSupport;

namespace RControl.Cluster.Tests;

/// <summary>
/// A node stopped with SIGTERM leaves the cluster the graceful way: the tasks it runs end within the grace period and
/// are reported as they ended (no <c>node lost</c>), the others see it Leaving, Exiting, then Removed, and its sessions
/// take new commands on the node that stays.
/// </summary>
public sealed partial class GracefulLeaveTests
{
    private const int Sessions = 6;

    [Fact]
    public async Task A_node_stopped_with_sigterm_leaves_gracefully_its_tasks_end_normally_and_its_sessions_move()
    {
        using var dir = new TempDir();
        var state = dir.PathOf("state");
        var configHome = dir.PathOf("config");
        // A has the lower address, so it is the leader: it sees B Leaving before it moves B to Exiting.
        var ports = new[] { FreePort.Get(), FreePort.Get() }.Order().ToArray();
        var sessions = string.Join("\n", Enumerable.Range(0, Sessions).Select(i => $"  s{i} {{ type = local }}"));
        var files = ports.Select((port, i) =>
        {
            var file = dir.PathOf($"node{i}.conf");
            File.WriteAllText(file, $$"""
                akka.remote.dot-netty.tcp.port = {{port}}
                akka.cluster.seed-nodes = ["akka.ssl.tcp://rcontrol@127.0.0.1:{{ports[0]}}"]
                rcontrol.daemon.state-dir = "{{state}}"
                rcontrol.daemon.shutdown-grace-period = 30s
                rcontrol.sessions {
                {{sessions}}
                }
                """);
            return file;
        }).ToArray();

        await using var a = DaemonNode.Start(files[0], ports[0], configHome);
        await using var b = DaemonNode.Start(files[1], ports[1], configHome);
        await Task.WhenAll(a.WaitForOutputAsync("RControl daemon listening on", TimeSpan.FromSeconds(90)), b.WaitForOutputAsync("RControl daemon listening on", TimeSpan.FromSeconds(90)));
        await Poll.UntilAsync(async () => await Cli.MembersUpAsync(configHome, a.Address) == 2, TimeSpan.FromSeconds(60), "both nodes Up");

        // Every session gets a command through A; B is stopped while its share runs.
        var names = Enumerable.Range(0, Sessions).Select(i => $"s{i}").ToArray();
        var exec = Cli.RunAsync(configHome, ["exec", .. names.SelectMany(n => new[] { "-t", n }), "--daemon", a.Address, "--json", "--", "sleep 3; echo done"]);
        await Poll.UntilAsync(() => Started(a).Count + Started(b).Count == Sessions || exec.IsCompleted, TimeSpan.FromSeconds(60), "every task started");
        var onB = Started(b);
        Assert.NotEmpty(onB); // the allocation spreads six sessions over two nodes
        var stopped = b.SigTermAsync(TimeSpan.FromSeconds(90));

        var result = await exec;
        Assert.True(result.ExitCode == 0, result.ToString() + a.Output + b.Output);
        var reports = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(names, reports.Select(r => r.GetProperty("session").GetString()!).Order());
        Assert.All(reports, r => Assert.True(r.GetProperty("exitCode").ValueKind == JsonValueKind.Number && r.GetProperty("exitCode").GetInt32() == 0, r.ToString()));

        Assert.Equal(0, await stopped);
        await a.WaitForOutputAsync($"cluster member {b.Address} is Removed", TimeSpan.FromSeconds(30));
        var seen = a.Lines.Where(l => l.Contains($"cluster member {b.Address} is ", StringComparison.Ordinal)).Select(l => MemberStatus().Match(l).Groups[1].Value).ToArray();
        Assert.True(seen.SkipWhile(s => s != "Up").SequenceEqual(["Up", "Leaving", "Exiting", "Removed"]), string.Join(", ", seen) + "\n" + a.Output);
        Assert.DoesNotContain(a.Lines, l => l.Contains("node lost", StringComparison.Ordinal) || l.Contains("Unreachable", StringComparison.Ordinal));

        // B's sessions take new commands on A.
        var again = await Cli.RunAsync(configHome, ["exec", .. onB.SelectMany(n => new[] { "-t", n }), "--daemon", a.Address, "--", "echo moved"]);
        Assert.True(again.ExitCode == 0, again.ToString() + a.Output);
        Assert.All(onB, n => Assert.Contains(n, Started(a)));
    }

    private static HashSet<string> Started(DaemonNode node) =>
        node.Lines.Select(l => StartedLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();

    [GeneratedRegex(@"task \w+ started on session (\S+):")]
    private static partial Regex StartedLine();

    [GeneratedRegex(@"cluster member \S+ is (\w+)")]
    private static partial Regex MemberStatus();
}
