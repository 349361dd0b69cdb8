using System.Globalization;
using Akka.Configuration;
using RControl.Bench.Harness;
using RControl.Remote;
using RControl.TestSupport;

namespace RControl.Bench.Workloads;

/// <summary>
/// W13 (<c>--only W13</c>): 1,000 local sessions on one daemon vs spread over a cluster of three daemons on this machine
/// (real <c>rcontrol daemon</c> processes, one shared state directory), a client of the first node running <c>true</c> on
/// every session: the time of the first run (sessions opened by it) and of the next runs, the resident set and threads
/// of each daemon. Local sessions: 1,000 SSH connections per configuration is W12's job (per-connection cost).
/// </summary>
public static class CapacityWorkload
{
    public const int Sessions = 1000;

    public static async Task<IReadOnlyList<Row>> RunAsync(BenchOptions options)
    {
        var cold = new Row
        {
            Workload = $"W13a capacity: `true` on {Sessions:N0} local sessions through node 1, first run (opens every session); RControl = 3-node cluster",
            Unit = "s",
            Baseline = "one daemon (no cluster)",
            Target = "(measured)",
        };
        var warm = new Row
        {
            Workload = $"W13b capacity: `true` again on the {Sessions:N0} open sessions; RControl = 3-node cluster",
            Unit = "s",
            Baseline = "one daemon (no cluster)",
            Target = "(measured)",
        };
        var sessions = "rcontrol.sessions {\n" + string.Concat(Enumerable.Range(0, Sessions).Select(i => $"  c{i:0000} {{ type = local }}\n")) + "}\n";

        await using (var single = await EngineProcess.StartAsync(sessions).ConfigureAwait(false))
        {
            await MeasureAsync([single], cold.Raw, warm.Raw, cold, "one daemon", options).ConfigureAwait(false);
        }

        using var shared = new TempDir();
        var ports = new[] { FreePort.Get(), FreePort.Get(), FreePort.Get() }.Order().ToArray();
        var cluster = $"akka.cluster.seed-nodes = [\"akka.ssl.tcp://rcontrol@127.0.0.1:{ports[0]}\"]\n" + sessions;
        var nodes = new List<EngineProcess>();
        try
        {
            foreach (var port in ports)
            {
                nodes.Add(await EngineProcess.StartAsync(cluster, port, shared.PathOf("state")).ConfigureAwait(false));
            }

            await MeasureAsync(nodes, cold.RControl, warm.RControl, cold, "3-node cluster", options).ConfigureAwait(false);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }
        }

        cold.Note(string.Create(CultureInfo.InvariantCulture, $"load average at end {Machine.LoadAverage()}; configurations measured one after the other (a cold run cannot alternate)"));
        return [cold, warm];
    }

    private static async Task MeasureAsync(IReadOnlyList<EngineProcess> nodes, List<double> cold, List<double> warm, Row notes, string label, BenchOptions options)
    {
        await using var client = await nodes[0].ConnectAsAdminAsync(nodes[0].ClusterAddress).ConfigureAwait(false);
        if (nodes.Count > 1)
        {
            await Poll.UntilAsync(
                async () => (await client.ListNodesAsync().ConfigureAwait(false)).Count(n => n.Status == "Up") == nodes.Count,
                TimeSpan.FromSeconds(180),
                "every node Up").ConfigureAwait(false);
        }

        var names = (await client.ListSessionsAsync().ConfigureAwait(false)).Where(n => n.StartsWith('c')).Order().ToArray();
        if (names.Length != Sessions)
        {
            throw new InvalidOperationException($"{label}: {names.Length} sessions listed, {Sessions} configured");
        }

        var idle = nodes.Select(n => Status(n, "VmRSS:")).ToArray();
        cold.Add(await Measure.SecondsAsync(() => RunAllAsync(client, names, label)).ConfigureAwait(false));
        for (var run = 0; run < options.Runs; run++)
        {
            warm.Add(await Measure.SecondsAsync(() => RunAllAsync(client, names, label)).ConfigureAwait(false));
        }

        var spread = nodes.Count > 1
            ? " sessions per node " + string.Join("/", (await client.ListNodesAsync().ConfigureAwait(false)).Select(n => n.Sessions?.ToString(CultureInfo.InvariantCulture) ?? "-")) + ";"
            : "";
        var perNode = string.Join(", ", nodes.Select((n, i) => string.Create(CultureInfo.InvariantCulture,
            $"node {i + 1} RSS {idle[i] / 1024.0:0} MiB before the first run, {Status(n, "VmRSS:") / 1024.0:0} MiB after (peak {Status(n, "VmHWM:") / 1024.0:0}), {Status(n, "Threads:")} threads")));
        notes.Note($"{label}:{spread} {perNode}");
    }

    private static async Task RunAllAsync(RemoteEngine client, IReadOnlyList<string> names, string label)
    {
        var sessions = await Task.WhenAll(names.Select(n => client.GetSessionAsync(n))).ConfigureAwait(false);
        var tasks = sessions.Select(s => s.Execute("true")).ToArray();
        await Task.WhenAll(tasks.Select(t => t.WaitAsync(raiseIfError: false))).ConfigureAwait(false);
        var failed = tasks.Where(t => t.ExitCode != 0).ToArray();
        if (failed.Length > 0)
        {
            throw new InvalidOperationException($"{label}: {failed.Length} of {tasks.Length} failed, e.g. {failed[0].Session.Name}: {failed[0].Error?.Message}");
        }
    }

    /// <summary>A number from the daemon's /proc status (kB for sizes).</summary>
    private static long Status(EngineProcess node, string field)
    {
        var line = File.ReadLines($"/proc/{node.ProcessId}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
