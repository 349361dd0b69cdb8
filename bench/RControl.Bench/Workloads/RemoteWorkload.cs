using Akka.Configuration;
using RControl.Bench.Harness;
using RControl.Remote;
using RControl.TestSupport;

namespace RControl.Bench.Workloads;

/// <summary>
/// W9: W6 and W3 through a remote client: the real <c>rcontrol daemon</c> in a child process and a client actor system
/// in this process, talking over loopback with mutual TLS and a login (as every endpoint does); the callbacks run in the
/// client. W9c compares W9a with the same workload against a second daemon in the explicitly insecure plain-TCP set-up,
/// both daemons up at once and their runs interleaved.
/// </summary>
public static class RemoteWorkload
{
    public static async Task<IReadOnlyList<Row>> RunAsync(BenchOptions options, SshServer? server, string? noSsh)
    {
        var local = new Row
        {
            Workload = $"W9a remote W6: local `seq 1 {LocalWorkloads.SeqLines}` in the engine, callback in a client over Akka.Remote",
            Unit = "M lines/s",
            HigherIsBetter = true,
            Baseline = "raw Process, pipelined async line reader (in-process)",
            Target = "≥ 0.5 M lines/s",
            IsMet = r => r.RControlMedian >= 0.5,
        };
        var ssh = new Row
        {
            Workload = "W9b remote W3: `seq 1 500000` over SSH in the engine, callback in a client over Akka.Remote",
            Unit = "M lines/s",
            HigherIsBetter = true,
            Baseline = "raw SSH.NET, pipelined async line reader (in-process)",
            Target = "≥ 0.5 M lines/s",
            IsMet = r => r.RControlMedian >= 0.5,
            NotMeasured = server is null ? "no sshd" : noSsh,
        };

        var insecure = new Row
        {
            Workload = $"W9c W9a with authentication (mutual TLS + login) vs. `insecure-no-authentication` (plain TCP), same run",
            Unit = "M lines/s",
            HigherIsBetter = true,
            Baseline = "the same remote workload without TLS or login",
            Target = "≤ 1.3× the unauthenticated cost",
            IsMet = r => r.CostRatio is { } ratio && ratio <= 1.3,
        };

        const int WarmUps = 3;

        const string Sessions = "rcontrol.sessions { local { type = local } }\n";
        await using var engine = await EngineProcess.StartAsync(Sessions).ConfigureAwait(false);
        await using var plain = await EngineProcess.StartAsync(Sessions + "rcontrol.remote.insecure-no-authentication = on\n").ConfigureAwait(false);
        await using var client = await engine.ConnectAsAdminAsync().ConfigureAwait(false);
        await using var plainClient = await RemoteEngine.ConnectAsync(
            plain.Address, ConfigurationFactory.ParseString("rcontrol.remote.insecure-no-authentication = on\n" + Engines.QuietHocon)).ConfigureAwait(false);

        // W9a and W9c's two sides run alternately (authenticated, raw, plain, authenticated …) after three warm-up runs
        // each: both daemons and both clients reach the same JIT tier and see the same machine load. Measured one after
        // the other, the side measured later ran on warmer client code and under another load.
        var session = await client.GetSessionAsync("local").ConfigureAwait(false);
        var plainSession = await plainClient.GetSessionAsync("local").ConfigureAwait(false);
        await Measure.InterleaveAsync(
            options.Runs,
            WarmUps,
            (local.RControl, () => LocalWorkloads.CountIntoCallbackAsync(session, $"seq 1 {LocalWorkloads.SeqLines}", LocalWorkloads.SeqLines, local)),
            (local.Raw, () => LocalWorkloads.RawLinesAsync(onLine => RawProcess.CountLinesAsync($"seq 1 {LocalWorkloads.SeqLines}", onLine), LocalWorkloads.SeqLines, local)),
            (insecure.Raw, () => LocalWorkloads.CountIntoCallbackAsync(plainSession, $"seq 1 {LocalWorkloads.SeqLines}", LocalWorkloads.SeqLines, insecure)));
        insecure.RControl.AddRange(local.RControl);

        if (server is not null && ssh.NotMeasured is null)
        {
            var remoteSsh = await client.OpenSessionAsync("ssh", server.Spec()).ConfigureAwait(false);
            using var raw = await RawSsh.ConnectAsync(server).ConfigureAwait(false);
            await Measure.InterleaveAsync(
                options.Runs,
                (ssh.RControl, () => LocalWorkloads.CountIntoCallbackAsync(remoteSsh, "seq 1 500000", 500_000, ssh)),
                (ssh.Raw, () => LocalWorkloads.RawLinesAsync(onLine => RawSsh.CountLinesAsync(raw, "seq 1 500000", onLine), 500_000, ssh)));
        }

        return [local, ssh, insecure];
    }
}
