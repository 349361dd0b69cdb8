using System.Diagnostics;
using RControl.Bench.Harness;
using RControl.TestSupport;

namespace RControl.Bench.Workloads;

/// <summary>
/// Connect-heavy workloads against the peers a user would pick instead of RControl: W4 (20 sessions × 10 `echo hi`)
/// against Python paramiko and Fabric, and W11 (100 sessions × `hostname`, one connection each) against raw SSH.NET,
/// paramiko and Fabric. Every side connects inside its timing, runs alternate between the sides, and every output is
/// checked. The server allows 2,000 unauthenticated connections at once (<c>MaxStartups</c>), so no side's connects are
/// dropped by sshd's default of 10.
/// </summary>
public sealed class PeerWorkloads(SshServer server, BenchOptions options)
{
    private const int W4Sessions = 20;
    private const int W4Commands = 10;
    private const int W11Sessions = 100;

    /// <summary>The sshd options these workloads need (also used by the W12 server).</summary>
    public static SshServerOptions ServerOptions { get; } = new() { ExtraConfig = ["MaxStartups 2000"] };

    public async Task<IReadOnlyList<Row>> W4PeersAsync(string? noSsh)
    {
        var paramiko = PeerRow($"W4p ssh-many-conns ({W4Sessions} sessions × {W4Commands} `echo hi`, connect included) vs paramiko", "Python paramiko 2.12, a thread per session", noSsh);
        var fabric = PeerRow($"W4f the same vs Fabric", "Fabric 2.6 (`Connection.run`), a thread per session", noSsh);
        await RunAgainstPeersAsync(W4Sessions, W4Commands, "echo hi", "hi\n", paramiko, fabric, raw: null).ConfigureAwait(false);
        return [paramiko, fabric];
    }

    public async Task<IReadOnlyList<Row>> W11Async(string? noSsh)
    {
        var raw = new Row
        {
            Workload = $"W11 `hostname` on {W11Sessions} sessions (one connection each, all in parallel, connect included)",
            Unit = "s",
            Baseline = "raw SSH.NET, curve25519-sha256 first, all connected in parallel",
            Target = "≤ 1.0 × the baseline",
            IsMet = r => r.CostRatio <= 1.0,
            NotMeasured = noSsh,
        };
        var paramiko = PeerRow("W11p the same vs paramiko", "Python paramiko 2.12, a thread per session", noSsh);
        var fabric = PeerRow("W11f the same vs Fabric", "Fabric 2.6 (`Connection.run`), a thread per session", noSsh);
        await RunAgainstPeersAsync(W11Sessions, 1, "hostname", Environment.MachineName + "\n", paramiko, fabric, raw).ConfigureAwait(false);
        return [raw, paramiko, fabric];
    }

    private static Row PeerRow(string workload, string baseline, string? noSsh) => new()
    {
        Workload = workload,
        Unit = "s",
        Baseline = baseline,
        Target = "ahead of the peer (≤ 1.0×)",
        IsMet = r => r.CostRatio <= 1.0,
        NotMeasured = noSsh,
    };

    private async Task RunAgainstPeersAsync(int sessions, int commands, string command, string expect, Row paramiko, Row fabric, Row? raw)
    {
        paramiko.NotMeasured ??= await PythonPeer.WhyNotAsync("paramiko").ConfigureAwait(false);
        fabric.NotMeasured ??= await PythonPeer.WhyNotAsync("fabric").ConfigureAwait(false);
        await using var rc = Engines.Create();
        using var serverCpu = new ServerCpu(server.Pid ?? throw new InvalidOperationException("the sshd is not running"));
        var round = 0;
        var rcontrol = new List<double>();
        var cpu = new Dictionary<string, Cpu> { ["RControl"] = new(), ["raw SSH.NET"] = new(), ["paramiko"] = new(), ["fabric"] = new() };

        // Each run's CPU time per connection: the client's (this process for RControl and raw SSH.NET, the Python
        // process for the peers; closing the connections included) and the server's (sshd and all it started, counted
        // once every connection's processes have ended). The first (warm-up) run of each side is dropped.
        async Task<double> MeteredAsync(string side, Func<Task<(double Seconds, double? ClientMs)>> run)
        {
            await serverCpu.WaitForIdleAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            var serverBefore = serverCpu.Milliseconds();
            var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var jitBefore = JitCpu.Milliseconds();
            var (seconds, clientMs) = await run().ConfigureAwait(false);
            var client = clientMs ?? (Process.GetCurrentProcess().TotalProcessorTime - clientBefore).TotalMilliseconds;
            var jit = clientMs is null ? JitCpu.Milliseconds() - jitBefore : 0;
            await serverCpu.WaitForIdleAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            cpu[side].Add(client / sessions, (serverCpu.Milliseconds() - serverBefore) / sessions, jit / sessions);
            return seconds;
        }

        var rcontrolSide = paramiko.NotMeasured is not null && fabric.NotMeasured is not null && raw is null ? null : (Func<Task<double>>)(() => MeteredAsync("RControl", async () =>
        {
            round++;
            var all = Enumerable.Range(0, sessions).Select(h => rc.CreateSession($"peers-{sessions}-{round}-{h}", server.Spec())).ToArray();
            var seconds = await Measure.SecondsAsync(() => Task.WhenAll(all.Select(async session =>
            {
                for (var i = 0; i < commands; i++)
                {
                    string? output = null;
                    await session.Execute(command, new CommandOptions { OnStdout = (_, line) => output = line }).WaitAsync().ConfigureAwait(false);
                    if (output + "\n" != expect)
                    {
                        throw new InvalidOperationException($"RControl: '{command}' printed '{output}'");
                    }
                }
            }))).ConfigureAwait(false);
            await Task.WhenAll(all.Select(s => s.CloseAsync())).ConfigureAwait(false);
            return (seconds, null);
        }));
        var peakRss = new Dictionary<string, long>();
        Func<Task<double>>? Peer(Row row, string library) => row.NotMeasured is not null ? null : () => MeteredAsync(library, async () =>
        {
            var run = await PythonPeer.RunAsync(server, library, sessions, commands, command, expect).ConfigureAwait(false);
            peakRss[library] = Math.Max(peakRss.GetValueOrDefault(library), run.PeakRssBytes);
            return (run.Seconds, run.CpuSeconds * 1000);
        });
        Func<Task<double>>? rawSide = raw is null ? null : () => MeteredAsync("raw SSH.NET", async () => (await RawSessionsAsync(sessions, command, expect).ConfigureAwait(false), null));
        await Measure.InterleaveAsync(
            options.Runs,
            (rcontrol, rcontrolSide),
            (raw?.Raw ?? [], rawSide),
            (paramiko.Raw, Peer(paramiko, "paramiko")),
            (fabric.Raw, Peer(fabric, "fabric"))).ConfigureAwait(false);
        foreach (var (row, library) in new[] { (paramiko, "paramiko"), (fabric, "fabric") })
        {
            row.RControl.AddRange(rcontrol);
            if (peakRss.TryGetValue(library, out var bytes))
            {
                row.Note($"{library} process peak RSS {bytes / 1024.0 / 1024.0:0} MiB; runs alternate RControl, {(raw is null ? string.Empty : "raw SSH.NET, ")}paramiko, Fabric");
                row.Note(CpuNote(cpu["RControl"], cpu[library], library));
            }
        }

        raw?.RControl.AddRange(rcontrol);
        if (raw is not null && cpu["raw SSH.NET"].Client.Count > 0)
        {
            raw.Note(CpuNote(cpu["RControl"], cpu["raw SSH.NET"], "raw SSH.NET"));
        }

        var measured = cpu.Where(c => c.Value.Client.Count > 0).ToArray();
        if (measured.Length > 0)
        {
            (raw ?? paramiko).Note($"server CPU counted as: {serverCpu.Method}; CPU per connection, medians (client / server ms): " +
                string.Join(", ", measured.Select(c => $"{c.Key} {c.Value.ClientMedian:0.0} / {c.Value.ServerMedian:0.0}")) +
                $"; of the client CPU, .NET's background JIT (tier-1 recompilation, paid once per process) took RControl {cpu["RControl"].JitMedian:0.0} ms" +
                (cpu["raw SSH.NET"].Client.Count > 0 ? $", raw SSH.NET {cpu["raw SSH.NET"].JitMedian:0.0} ms" : string.Empty));
        }
    }

    private static string CpuNote(Cpu rcontrol, Cpu peer, string name) =>
        $"CPU (user + sys) per connection, medians: client RControl {rcontrol.ClientMedian:0.0} ms, {name} {peer.ClientMedian:0.0} ms ({Ratio(rcontrol.ClientMedian, peer.ClientMedian)}); " +
        $"server (sshd and all it started) RControl {rcontrol.ServerMedian:0.0} ms, {name} {peer.ServerMedian:0.0} ms ({Ratio(rcontrol.ServerMedian, peer.ServerMedian)}); " +
        $"both: {Ratio(rcontrol.ClientMedian + rcontrol.ServerMedian, peer.ClientMedian + peer.ServerMedian)}";

    private static string Ratio(double a, double b) => b > 0 ? $"{a / b:0.00}×" : "—";

    /// <summary>CPU milliseconds per connection of one side's measured runs (the warm-up run's dropped).</summary>
    private sealed class Cpu
    {
        private int _runs;

        public List<double> Client { get; } = [];

        public List<double> Server { get; } = [];

        public double ClientMedian => Client.Count == 0 ? double.NaN : Stats.Median(Client);

        public double ServerMedian => Server.Count == 0 ? double.NaN : Stats.Median(Server);

        /// <summary>Of the client's, the JIT's background thread (in-process sides only).</summary>
        public List<double> Jit { get; } = [];

        public double JitMedian => Jit.Count == 0 ? double.NaN : Stats.Median(Jit);

        public void Add(double client, double server, double jit)
        {
            if (_runs++ == 0)
            {
                return;
            }

            Client.Add(client);
            Server.Add(server);
            Jit.Add(jit);
        }
    }

    private async Task<double> RawSessionsAsync(int sessions, string command, string expect)
    {
        var clients = new Renci.SshNet.SshClient[sessions];
        var seconds = await Measure.SecondsAsync(() => Task.WhenAll(Enumerable.Range(0, sessions).Select(async h =>
        {
            var client = clients[h] = await RawSsh.ConnectAsync(server).ConfigureAwait(false);
            var output = await RawSsh.RunAsync(client, command).ConfigureAwait(false);
            if (output != expect)
            {
                throw new InvalidOperationException($"raw SSH.NET: '{command}' printed '{output}'");
            }
        }))).ConfigureAwait(false);
        foreach (var client in clients)
        {
            client.Dispose();
        }

        return seconds;
    }
}
