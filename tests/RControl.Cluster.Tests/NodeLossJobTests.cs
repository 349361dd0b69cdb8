using RControl.Cluster.Tests.Support;
using RControl.TestSupport;

namespace RControl.Cluster.Tests;

/// <summary>
/// A detached job (kept by the node it was submitted to) whose tasks run on another node: when that node is
/// SIGKILLed, each of its tasks is recorded once as failed with <c>node lost: …</c>, the others succeed, and the job
/// ends failed — read back with <c>wait</c> and <c>logs</c> through the surviving node.
/// </summary>
public sealed class NodeLossJobTests
{
    private const int Sessions = 6;

    [Fact]
    public async Task A_detached_job_records_the_tasks_of_a_lost_node_as_failed_once_and_the_others_as_succeeded()
    {
        using var dir = new TempDir();
        // A (the lower address) is kept by keep-majority when B is lost. The failure detector rides out a loaded node's
        // stall (as DaemonClusterTests): with 2 s + 2 s a stall of about 4 s of either node before the SIGKILL splits the
        // two, and keep-majority downs B on its own (its tasks then end before the kill, not as 'node lost').
        await using var cluster = await TwoNodeCluster.StartAsync(dir, Sessions, """
            akka.cluster.split-brain-resolver.stable-after = 3s
            akka.cluster.failure-detector.acceptable-heartbeat-pause = 6s
            """);
        var (a, b, configHome) = (cluster.A, cluster.B, cluster.ConfigHome);

        var names = Enumerable.Range(0, Sessions).Select(i => $"s{i}").ToArray();
        var submitted = await Cli.RunAsync(configHome, ["exec", .. names.SelectMany(n => new[] { "-t", n }), "--daemon", a.Address, "--detach", "--", "sleep 12; echo done"]);
        Assert.True(submitted.ExitCode == 0, submitted.ToString());
        var job = submitted.Stdout.Trim();
        await Poll.UntilAsync(() => a.StartedSessions.Count + b.StartedSessions.Count == Sessions, TimeSpan.FromSeconds(60), "every task started");
        var onB = b.StartedSessions;
        Assert.NotEmpty(onB);
        await b.SigKillAsync();

        var waited = await Cli.RunAsync(configHome, "wait", job, "--daemon", a.Address);
        Assert.True(waited.ExitCode == 1, waited.ToString() + a.Output);
        var logs = await Cli.RunAsync(configHome, "logs", job, "--daemon", a.Address);
        var text = logs.Stdout + logs.Stderr;
        var lost = text.Split('\n').Where(l => l.Contains($"node lost: {b.Address}", StringComparison.Ordinal)).ToArray();
        Assert.True(onB.Order().SequenceEqual(lost.Select(l => l.Split(':')[0].Trim()).Order()), $"on B: {string.Join(",", onB)}\n{text}"); // once per task of the lost node
        Assert.Equal(Sessions - onB.Count, text.Split('\n').Count(l => l.EndsWith(": done", StringComparison.Ordinal)));
    }
}
