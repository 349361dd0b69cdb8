using System.Text.RegularExpressions;
using RControl.Cluster.Tests.Support;
using RControl.TestSupport;

namespace RControl.Cluster.Tests;

/// <summary>
/// A detached job (kept by the node it was submitted to) whose tasks run on another node: when that node is
/// SIGKILLed, each of its tasks is recorded once as failed with <c>node lost: …</c>, the others succeed, and the job
/// ends failed — read back with <c>wait</c> and <c>logs</c> through the surviving node.
/// </summary>
public sealed partial class NodeLossJobTests
{
    private const int Sessions = 6;

    [Fact]
    public async Task A_detached_job_records_the_tasks_of_a_lost_node_as_failed_once_and_the_others_as_succeeded()
    {
        using var dir = new TempDir();
        var state = dir.PathOf("state");
        var configHome = dir.PathOf("config");
        // A has the lower address: with two nodes, keep-majority keeps the side with the lowest address.
        var ports = new[] { FreePort.Get(), FreePort.Get() }.Order().ToArray();
        var sessions = string.Join("\n", Enumerable.Range(0, Sessions).Select(i => $"  s{i} {{ type = local }}"));
        var files = ports.Select((port, i) =>
        {
            var file = dir.PathOf($"node{i}.conf");
            File.WriteAllText(file, $$"""
                akka.remote.dot-netty.tcp.port = {{port}}
                akka.cluster.seed-nodes = ["akka.ssl.tcp://rcontrol@127.0.0.1:{{ports[0]}}"]
                akka.cluster.split-brain-resolver.stable-after = 2s
                akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
                rcontrol.daemon.state-dir = "{{state}}"
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

        var names = Enumerable.Range(0, Sessions).Select(i => $"s{i}").ToArray();
        var submitted = await Cli.RunAsync(configHome, ["exec", .. names.SelectMany(n => new[] { "-t", n }), "--daemon", a.Address, "--detach", "--", "sleep 12; echo done"]);
        Assert.True(submitted.ExitCode == 0, submitted.ToString());
        var job = submitted.Stdout.Trim();
        await Poll.UntilAsync(() => Started(a).Count + Started(b).Count == Sessions, TimeSpan.FromSeconds(60), "every task started");
        var onB = Started(b);
        Assert.NotEmpty(onB);
        await b.SigKillAsync();

        var waited = await Cli.RunAsync(configHome, "wait", job, "--daemon", a.Address);
        Assert.True(waited.ExitCode == 1, waited.ToString() + a.Output);
        var logs = await Cli.RunAsync(configHome, "logs", job, "--daemon", a.Address);
        var text = logs.Stdout + logs.Stderr;
        var lost = text.Split('\n').Where(l => l.Contains($"node lost: {b.Address}", StringComparison.Ordinal)).ToArray();
        Assert.Equal(onB.Order(), lost.Select(l => l.Split(':')[0].Trim()).Order()); // once per task of the lost node
        Assert.Equal(Sessions - onB.Count, text.Split('\n').Count(l => l.EndsWith(": done", StringComparison.Ordinal)));
    }

    private static HashSet<string> Started(DaemonNode node) =>
        node.Lines.Select(l => StartedLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();

    [GeneratedRegex(@"task \w+ started on session (\S+):")]
    private static partial Regex StartedLine();
}
