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
/// of each daemon. W13s (<c>--only W13S</c>): the same with 1,000 SSH sessions to one sshd (a connection each, kept open
/// between runs), <c>hostname</c> on each: the per-node cost of connected hosts (SSH.NET's thread per connection).
/// </summary>
public static class CapacityWorkload
{
    public const int Sessions = 1000;

    /// <summary>How long an SSH session may wait for its connect (a slot, then the key exchange): 1,000 on 2 loaded cores.</summary>
    private static readonly TimeSpan SshConnectTimeout = TimeSpan.FromMinutes(5);

    /// <param name="server">The sshd of W13s (its MaxStartups raised as for W12); null: W13 with local sessions.</param>
    public static async Task<IReadOnlyList<Row>> RunAsync(BenchOptions options, SshServer? server = null)
    {
        var id = server is null ? "W13" : "W13s";
        var kind = server is null ? "local" : "SSH";
        var command = server is null ? "true" : "hostname";
        var cold = new Row
        {
            Workload = $"{id}a capacity: `{command}` on {Sessions:N0} {kind} sessions through node 1, first run (opens every session{(server is null ? "" : ": a connection each")}); RControl = 3-node cluster",
            Unit = "s",
            Baseline = "one daemon (no cluster)",
            Target = "(measured)",
        };
        var warm = new Row
        {
            Workload = $"{id}b capacity: `{command}` again on the {Sessions:N0} open sessions; RControl = 3-node cluster",
            Unit = "s",
            Baseline = "one daemon (no cluster)",
            Target = "(measured)",
        };
        var spec = server is null ? "type = local" : SshSpec(server);
        var sessions = "rcontrol.sessions {\n" + string.Concat(Enumerable.Range(0, Sessions).Select(i => $"  c{i:0000} {{ {spec} }}\n")) + "}\n";

        await using (var single = await EngineProcess.StartAsync(sessions).ConfigureAwait(false))
        {
            await MeasureAsync([single], cold.Raw, warm.Raw, cold, "one daemon", command, options).ConfigureAwait(false);
        }

        using var shared = new TempDir();
        var ports = new[] { FreePort.Get(), FreePort.Get(), FreePort.Get() }.Order().ToArray();
        var cluster = $"akka.cluster.seed-nodes = [\"akka.ssl.tcp://rcontrol@127.0.0.1:{ports[0]}\"]\n" + sessions
            // Placing 1,000 sessions while the nodes run 1,000 key exchanges on 2 loaded cores takes longer than the 30 s default.
            + (server is null ? "" : $"rcontrol.cluster.locate-timeout = {SshConnectTimeout.TotalSeconds:0}s\n");
        var nodes = new List<EngineProcess>();
        try
        {
            foreach (var port in ports)
            {
                nodes.Add(await EngineProcess.StartAsync(cluster, port, shared.PathOf("state")).ConfigureAwait(false));
            }

            await MeasureAsync(nodes, cold.RControl, warm.RControl, cold, "3-node cluster", command, options).ConfigureAwait(false);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }
        }

        cold.Note(string.Create(CultureInfo.InvariantCulture, $"load average at end {Machine.LoadAverage()}; configurations measured one after the other (a cold run cannot alternate)"));
        if (server is not null)
        {
            cold.Note($"SSH sessions to {server}, one connection each, kept open between runs; connect timeout and budget {SshConnectTimeout.TotalMinutes:0} min (1,000 key exchanges queue behind rcontrol.ssh.max-connects-in-flight), the cluster's locate-timeout too (30 s by default: at load 60-80 the first run's placement of some sessions took longer while the nodes ran the key exchanges)");
        }

        return [cold, warm];
    }

    /// <summary>An inventory entry for a session of <paramref name="server"/>: host key checked, one connection.</summary>
    private static string SshSpec(SshServer server) => string.Create(CultureInfo.InvariantCulture,
        $"type = ssh, host = \"127.0.0.1\", port = {server.Port}, user = \"{server.User.Name}\", identity-files = [\"{server.ClientKey.PrivateKeyFile}\"], " +
        $"known-hosts = \"{server.KnownHostsFile}\", ssh-config = \"{server.SshConfigFile}\", host-key-policy = strict, max-connections = 1, " +
        $"connect-timeout = {SshConnectTimeout.TotalSeconds:0}s, connect-budget = {SshConnectTimeout.TotalSeconds:0}s");

    private static async Task MeasureAsync(IReadOnlyList<EngineProcess> nodes, List<double> cold, List<double> warm, Row notes, string label, string command, BenchOptions options)
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
        var peakThreads = new int[nodes.Count];
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                for (var i = 0; i < nodes.Count; i++)
                {
                    peakThreads[i] = Math.Max(peakThreads[i], (int)Status(nodes[i], "Threads:"));
                }

                await Task.Delay(50).ConfigureAwait(false);
            }
        });
        cold.Add(await Measure.SecondsAsync(() => RunAllAsync(client, names, label, command)).ConfigureAwait(false));
        for (var run = 0; run < options.Runs; run++)
        {
            warm.Add(await Measure.SecondsAsync(() => RunAllAsync(client, names, label, command)).ConfigureAwait(false));
        }

        await sampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);

        var spread = nodes.Count > 1
            ? " sessions per node " + string.Join("/", (await client.ListNodesAsync().ConfigureAwait(false)).Select(n => n.Sessions?.ToString(CultureInfo.InvariantCulture) ?? "-")) + ";"
            : "";
        var perNode = string.Join(", ", nodes.Select((n, i) => string.Create(CultureInfo.InvariantCulture,
            $"node {i + 1} RSS {idle[i] / 1024.0:0} MiB before the first run, {Status(n, "VmRSS:") / 1024.0:0} MiB after (peak {Status(n, "VmHWM:") / 1024.0:0}), {Status(n, "Threads:")} threads after (peak {peakThreads[i]})")));
        notes.Note($"{label}:{spread} {perNode}");
    }

    private static async Task RunAllAsync(RemoteEngine client, IReadOnlyList<string> names, string label, string command)
    {
        var sessions = await Task.WhenAll(names.Select(n => client.GetSessionAsync(n))).ConfigureAwait(false);
        var tasks = sessions.Select(s => s.Execute(command)).ToArray();
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
