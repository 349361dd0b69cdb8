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
        await using var cluster = await TwoNodeCluster.StartAsync(dir, Sessions, "rcontrol.daemon.shutdown-grace-period = 30s");
        var (a, b, configHome) = (cluster.A, cluster.B, cluster.ConfigHome);

        // Every session gets a command through A; B is stopped while its share runs.
        var names = Enumerable.Range(0, Sessions).Select(i => $"s{i}").ToArray();
        var exec = Cli.RunAsync(configHome, ["exec", .. names.SelectMany(n => new[] { "-t", n }), "--daemon", a.Address, "--json", "--", "sleep 3; echo done"]);
        await Poll.UntilAsync(() => a.StartedSessions.Count + b.StartedSessions.Count == Sessions || exec.IsCompleted, TimeSpan.FromSeconds(60), "every task started");
        var onB = b.StartedSessions;
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
        Assert.All(onB, n => Assert.Contains(n, a.StartedSessions));
    }

    [GeneratedRegex(@"cluster member \S+ is (\w+)")]
    private static partial Regex MemberStatus();
}
