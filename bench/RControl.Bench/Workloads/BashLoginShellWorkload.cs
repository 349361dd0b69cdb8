using System.Diagnostics;
using RControl.Bench.Harness;
using RControl.Protocol;
using RControl.TestSupport;
using RControl.Transports.Ssh;

namespace RControl.Bench.Workloads;

/// <summary>
/// W1b: W1″ for a login user whose shell is bash (<c>rcontrol-test-bash</c>, created as root when missing): raw SSH.NET
/// running the transport's wrapper before (<c>exec /bin/sh -c</c>, a second shell per command) and after (a plain
/// command started by bash itself) side by side with a bare command, interleaved on one connection; CPU per command of
/// the server (the sshd tree, with the shells it reaped) and of the client.
/// </summary>
public static class BashLoginShellWorkload
{
    private const string User = "rcontrol-test-bash";

    private const int Commands = 200;

    public static async Task<IReadOnlyList<Row>> RunAsync(BenchOptions options)
    {
        var why = await EnsureUserAsync().ConfigureAwait(false);
        await using var server = await SshServer.StartAsync(new SshServerOptions { ExtraConfig = [$"AllowUsers {User}"] }).ConfigureAwait(false);
        using var client = RawSsh.Create(server.Host, server.Port, User, server.ClientKey.PrivateKeyFile, server.HostKey.Fingerprint);
        var rows = new List<Row>();
        if (why is not null)
        {
            return [new Row { Workload = "W1b bash login shell", Unit = "ms/cmd", Baseline = "raw SSH.NET", Target = "(diagnostic)", NotMeasured = why }];
        }

        await client.ConnectAsync(CancellationToken.None).ConfigureAwait(false);
        var guardian = await SshGuardian.StartAsync(client).ConfigureAwait(false);
        var ready = Stopwatch.StartNew();
        while (guardian.Directory is null && ready.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        // W1 itself for this user: the engine's session against raw SSH.NET, both running `true`.
        var w1 = new Row
        {
            Workload = $"W1b ssh-seq for a bash login user: {Commands} sequential `true` on one session",
            Unit = "ms/cmd",
            Baseline = "raw SSH.NET",
            Target = "(diagnostic)",
        };
        await using (var rc = Engines.Create())
        {
            var session = rc.CreateSession("w1b", server.Spec() with { User = User });
            var (cpuEngine, cpuBare) = (new Cpu(), new Cpu());
            await Measure.InterleaveAsync(
                options.Runs,
                (w1.RControl, () => PerCommandMsAsync(server, async () =>
                {
                    for (var i = 0; i < Commands; i++)
                    {
                        await session.Execute("true").WaitAsync().ConfigureAwait(false);
                    }
                }, cpuEngine)),
                (w1.Raw, () => PerCommandMsAsync(server, () => RunAsync(client, "true"), cpuBare))).ConfigureAwait(false);
            w1.Note($"CPU per command, medians: server RControl {Stats.Median(cpuEngine.Server):0.00} ms, raw {Stats.Median(cpuBare.Server):0.00} ms " +
                $"({Stats.Median(cpuEngine.Server) / Stats.Median(cpuBare.Server):0.00}×); client RControl {Stats.Median(cpuEngine.Client):0.00} ms, raw {Stats.Median(cpuBare.Client):0.00} ms");
            rows.Add(w1);
        }

        foreach (var command in new[] { "true", "uname" })
        {
            var row = new Row
            {
                Workload = $"W1b raw SSH.NET running the transport's wrapper around `{command}` for a bash login user (after: no second sh)",
                Unit = "ms/cmd",
                Baseline = $"raw SSH.NET `{command}`",
                Target = "(diagnostic)",
            };
            var before = SshCommandLine.Build(new CommandSpec(command), null, SshCommandLine.NewNonce(), guardian.Directory, guardian.LoginShellIsSh, loginShellIsBash: false);
            var after = SshCommandLine.Build(new CommandSpec(command), null, SshCommandLine.NewNonce(), guardian.Directory, guardian.LoginShellIsSh, guardian.LoginShellIsBash);
            var beforeMs = new List<double>();
            var (cpuBefore, cpuAfter, cpuRaw) = (new Cpu(), new Cpu(), new Cpu());
            await Measure.InterleaveAsync(
                options.Runs,
                (beforeMs, () => PerCommandMsAsync(server, () => RunAsync(client, before), cpuBefore)),
                (row.RControl, () => PerCommandMsAsync(server, () => RunAsync(client, after), cpuAfter)),
                (row.Raw, () => PerCommandMsAsync(server, () => RunAsync(client, command), cpuRaw))).ConfigureAwait(false);
            double Server(Cpu c) => Stats.Median(c.Server);
            double Client(Cpu c) => Stats.Median(c.Client);
            row.Note($"login shell bash: {(guardian.LoginShellIsBash ? "found" : "NOT found")}; wall before {Stats.Median(beforeMs):0.000} ms; " +
                $"CPU per command, medians: server before {Server(cpuBefore):0.00} ms ({Server(cpuBefore) / Server(cpuRaw):0.00}× raw), " +
                $"after {Server(cpuAfter):0.00} ms ({Server(cpuAfter) / Server(cpuRaw):0.00}× raw), raw {Server(cpuRaw):0.00} ms; " +
                $"client before {Client(cpuBefore):0.00}, after {Client(cpuAfter):0.00}, raw {Client(cpuRaw):0.00} ms");
            rows.Add(row);
        }

        guardian.Dispose();
        return rows;
    }

    private static async Task RunAsync(Renci.SshNet.SshClient client, string text)
    {
        for (var i = 0; i < Commands; i++)
        {
            await RawSsh.RunAsync(client, text).ConfigureAwait(false);
        }
    }

    private static async Task<double> PerCommandMsAsync(SshServer server, Func<Task> run, Cpu cpu)
    {
        var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var serverBefore = server.Pid is { } pid ? TreeCpu.Milliseconds(pid) : 0;
        var ms = await Measure.SecondsAsync(run).ConfigureAwait(false) * 1000 / Commands;
        cpu.Client.Add((Process.GetCurrentProcess().TotalProcessorTime - clientBefore).TotalMilliseconds / Commands);
        cpu.Server.Add(((server.Pid is { } after ? TreeCpu.Milliseconds(after) : 0) - serverBefore) / Commands);
        return ms;
    }

    private static async Task<string?> EnsureUserAsync()
    {
        if ((await ProcessRunner.RunAsync("id", ["-u", User]).ConfigureAwait(false)).ExitCode == 0)
        {
            return null;
        }

        if (!TestUser.IsRoot)
        {
            return $"no user {User} (run as root to create it)";
        }

        var add = await ProcessRunner.RunAsync("useradd", ["-m", "-s", "/bin/bash", User]).ConfigureAwait(false);
        return add.ExitCode is 0 or 9 ? null : $"useradd {User}: {add.Stderr}";
    }

    private sealed record Cpu(List<double> Client, List<double> Server)
    {
        public Cpu()
            : this([], [])
        {
        }
    }
}
