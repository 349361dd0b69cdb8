using Akka.Configuration;
using RControl.Bench.Harness;
using RControl.Remote;
using RControl.TestSupport;

namespace RControl.Bench.Workloads;

/// <summary>
/// W9: W6 and W3 through a remote client: the real <c>rcontrol daemon</c> in a child process and a client actor system
/// in this process, talking over loopback with mutual TLS and a login (as every endpoint does); the callbacks run in the
/// client. W9c compares W9a with the same workload against a second daemon in the explicitly insecure plain-TCP set-up.
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

        const string Sessions = "rcontrol.sessions { local { type = local } }\n";
        await using (var engine = await EngineProcess.StartAsync(Sessions).ConfigureAwait(false))
        {
            await using var client = await RemoteEngine.ConnectAsync(
                engine.Address, TestCredentials.ForFile(engine.AdminCredential).WithFallback(ConfigurationFactory.ParseString(Engines.QuietHocon))).ConfigureAwait(false);

            var session = await client.GetSessionAsync("local").ConfigureAwait(false);
            await Measure.RepeatAsync(options.Runs, local.RControl, () => LocalWorkloads.CountIntoCallbackAsync(session, $"seq 1 {LocalWorkloads.SeqLines}", LocalWorkloads.SeqLines, local));
            await Measure.RepeatAsync(options.Runs, local.Raw, () => LocalWorkloads.RawLinesAsync(
                onLine => RawProcess.CountLinesAsync($"seq 1 {LocalWorkloads.SeqLines}", onLine), LocalWorkloads.SeqLines, local));

            if (server is not null && ssh.NotMeasured is null)
            {
                var remoteSsh = await client.OpenSessionAsync("ssh", server.Spec()).ConfigureAwait(false);
                await Measure.RepeatAsync(options.Runs, ssh.RControl, () => LocalWorkloads.CountIntoCallbackAsync(remoteSsh, "seq 1 500000", 500_000, ssh));
                using var raw = await RawSsh.ConnectAsync(server).ConfigureAwait(false);
                await Measure.RepeatAsync(options.Runs, ssh.Raw, () => LocalWorkloads.RawLinesAsync(
                    onLine => RawSsh.CountLinesAsync(raw, "seq 1 500000", onLine), 500_000, ssh));
            }
        }

        var insecure = new Row
        {
            Workload = $"W9c W9a with authentication (mutual TLS + login) vs. `insecure-no-authentication` (plain TCP), same run",
            Unit = "M lines/s",
            HigherIsBetter = true,
            Baseline = "the same remote workload without TLS or login",
            Target = "≤ 1.3× the unauthenticated cost",
            IsMet = r => r.CostRatio is { } ratio && ratio <= 1.3,
        };
        insecure.RControl.AddRange(local.RControl);
        await using (var plain = await EngineProcess.StartAsync(Sessions + "rcontrol.remote.insecure-no-authentication = on\n").ConfigureAwait(false))
        {
            await using var client = await RemoteEngine.ConnectAsync(
                plain.Address, ConfigurationFactory.ParseString("rcontrol.remote.insecure-no-authentication = on\n" + Engines.QuietHocon)).ConfigureAwait(false);
            var session = await client.GetSessionAsync("local").ConfigureAwait(false);
            await Measure.RepeatAsync(options.Runs, insecure.Raw, () => LocalWorkloads.CountIntoCallbackAsync(session, $"seq 1 {LocalWorkloads.SeqLines}", LocalWorkloads.SeqLines, insecure));
        }

        return [local, ssh, insecure];
    }
}
