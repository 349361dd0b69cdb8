using System.Globalization;
using Akka.Configuration;
using RControl.Bench.Harness;
using RControl.Remote;
using RControl.TestSupport;

namespace RControl.Bench.Workloads;

/// <summary>
/// W14 (<c>--only W14</c>): the cluster's cost on W1. A client of node 1 of a two-node cluster of real daemons runs
/// 200 sequential <c>true</c> on a local session pinned by its zone to node 2 (every command and its report cross the
/// cluster), beside the same on one daemon whose session lives on the node the client talks to. Both set-ups run at
/// once and their runs alternate.
/// </summary>
public static class ClusterHopWorkload
{
    private const int Commands = 200;

    public static async Task<IReadOnlyList<Row>> RunAsync(BenchOptions options)
    {
        var row = new Row
        {
            Workload = $"W14 cluster hop: {Commands} sequential `true` on a local session hosted by node 2, the client on node 1",
            Unit = "ms/cmd",
            Baseline = "the same on one daemon (the session on the node the client talks to)",
            Target = "(measured)",
        };

        await using var single = await EngineProcess.StartAsync("rcontrol.sessions { far { type = local } }\n").ConfigureAwait(false);
        using var shared = new TempDir();
        var ports = new[] { FreePort.Get(), FreePort.Get() }.Order().ToArray();
        var seed = $"akka.cluster.seed-nodes = [\"akka.ssl.tcp://rcontrol@127.0.0.1:{ports[0]}\"]\n";
        var sessions = "rcontrol.sessions { far { type = local, zone = far } }\n";
        await using var front = await EngineProcess.StartAsync(seed + sessions, ports[0], shared.PathOf("state")).ConfigureAwait(false);
        await using var host = await EngineProcess.StartAsync(seed + "akka.cluster.roles = [far]\n" + sessions, ports[1], shared.PathOf("state")).ConfigureAwait(false);

        await using var singleClient = await single.ConnectAsAdminAsync(single.ClusterAddress).ConfigureAwait(false);
        await using var clusterClient = await front.ConnectAsAdminAsync(front.ClusterAddress).ConfigureAwait(false);
        await Poll.UntilAsync(
            async () => (await clusterClient.ListNodesAsync().ConfigureAwait(false)).Count(n => n.Status == "Up") == 2,
            TimeSpan.FromSeconds(180),
            "both nodes Up").ConfigureAwait(false);
        var far = await clusterClient.GetSessionAsync("far").ConfigureAwait(false);
        var near = await singleClient.GetSessionAsync("far").ConfigureAwait(false);

        // A warm-up run of each, then the measured runs alternate.
        await RunAsync(far, "cluster").ConfigureAwait(false);
        await RunAsync(near, "one daemon").ConfigureAwait(false);
        for (var run = 0; run < options.Runs; run++)
        {
            row.RControl.Add(await Measure.SecondsAsync(() => RunAsync(far, "cluster")).ConfigureAwait(false) * 1000 / Commands);
            row.Raw.Add(await Measure.SecondsAsync(() => RunAsync(near, "one daemon")).ConfigureAwait(false) * 1000 / Commands);
        }

        var placed = (await clusterClient.ListNodesAsync().ConfigureAwait(false))
            .Select(n => string.Create(CultureInfo.InvariantCulture, $"{n.Address} {n.Sessions?.ToString(CultureInfo.InvariantCulture) ?? "-"}"));
        row.Note($"sessions per node: {string.Join(", ", placed)}; load average at end {Machine.LoadAverage()}");
        return [row];
    }

    private static async Task RunAsync(RemoteSession session, string label)
    {
        for (var i = 0; i < Commands; i++)
        {
            var exitCode = await session.Execute("true").WaitAsync(raiseIfError: false).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"{label}: `true` ended with {exitCode?.ToString(CultureInfo.InvariantCulture) ?? "no exit code"}");
            }
        }
    }
}
