using Akka.Actor;
using Akka.Configuration;
using RControl.Bench.Harness;
using RControl.Configuration;
using RControl.Hosting;
using RControl.Remote;
using RControl.TestSupport;

namespace RControl.Bench.Workloads;

/// <summary>
/// W9: W6 and W3 through a remote client: an engine actor system (Akka.Remote on 127.0.0.1) and a client actor
/// system in this process, talking over loopback with mutual TLS and a login (as every endpoint does); the callbacks run
/// in the client. W9c compares W9a with the same workload over the explicitly insecure plain-TCP set-up.
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

        var config = ConfigurationFactory.ParseString("rcontrol.sessions { local { type = local } }\n" + Engines.QuietHocon)
            .WithFallback(ConfigurationFactory.ParseString("akka.actor.provider = remote\nakka.remote.dot-netty.tcp.port = 0"))
            .WithFallback(RControlConfig.ReferenceConfig);
        using var credentials = new TestCredentials();
        var engineSystem = ActorSystem.Create("rcontrol", RemoteSecurity.CreateSystemSetup(config, credentials.Engine));
        try
        {
            RControlEngine.Start(engineSystem, Inventory.Parse(config.GetConfig("rcontrol")));
            var address = ((ExtendedActorSystem)engineSystem).Provider.DefaultAddress.ToString();
            await using var client = await RemoteEngine.ConnectAsync(address, credentials.ClientConfig().WithFallback(ConfigurationFactory.ParseString(Engines.QuietHocon))).ConfigureAwait(false);

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
        finally
        {
            await engineSystem.Terminate().ConfigureAwait(false);
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
        var plainConfig = ConfigurationFactory.ParseString("rcontrol.remote.insecure-no-authentication = on").WithFallback(config);
        var plainSystem = ActorSystem.Create("rcontrol", RemoteSecurity.CreateSystemSetup(plainConfig));
        try
        {
            RControlEngine.Start(plainSystem, Inventory.Parse(plainConfig.GetConfig("rcontrol")));
            var address = ((ExtendedActorSystem)plainSystem).Provider.DefaultAddress.ToString();
            await using var client = await RemoteEngine.ConnectAsync(
                address, ConfigurationFactory.ParseString("rcontrol.remote.insecure-no-authentication = on\n" + Engines.QuietHocon)).ConfigureAwait(false);
            var session = await client.GetSessionAsync("local").ConfigureAwait(false);
            await Measure.RepeatAsync(options.Runs, insecure.Raw, () => LocalWorkloads.CountIntoCallbackAsync(session, $"seq 1 {LocalWorkloads.SeqLines}", LocalWorkloads.SeqLines, insecure));
        }
        finally
        {
            await plainSystem.Terminate().ConfigureAwait(false);
        }

        return [local, ssh, insecure];
    }
}
