using System.Diagnostics;
using System.Globalization;
using Renci.SshNet;
using Renci.SshNet.Common;
using RControl.Bench.Harness;
using RControl.TestSupport;

namespace RControl.Bench.Workloads;

/// <summary>The SSH workloads W1–W4 and W7 against one test sshd (a dedicated login user with a plain shell when root).</summary>
public sealed class SshWorkloads(SshServer server, BenchOptions options)
{
    private const int SeqCommands = 200;
    private const int FanoutCommands = 60;
    private const int FanoutConnections = 6;

    /// <summary>RControl's connections for the 60: each connection's tenth channel holds its guardian, so 9 commands each.</summary>
    private const int FanoutEngineConnections = 7;
    private const int SeqLines = 500_000;
    private const int Hosts = 20;
    private const int CommandsPerHost = 10;

    /// <summary>Null when this build can open SSH sessions; otherwise why not.</summary>
    public static async Task<string?> WhyNoSshSessionsAsync(SshServer server)
    {
        await using var rc = Engines.Create();
        try
        {
            var session = rc.CreateSession("probe", server.Spec());
            await session.Execute("true").WaitAsync().ConfigureAwait(false);
            await session.CloseAsync().ConfigureAwait(false);
            return null;
        }
        catch (NotSupportedException e)
        {
            return $"RControl side not measured: {e.Message}";
        }
    }

    public async Task<Row> W1Async(string? noSsh)
    {
        var row = new Row
        {
            Workload = $"W1 ssh-seq: {SeqCommands} sequential `true` on one session",
            Unit = "ms/cmd",
            Baseline = "raw SSH.NET",
            Target = "≤ 1.2 × raw SSH.NET",
            IsMet = r => r.CostRatio <= 1.2,
            NotMeasured = noSsh,
        };
        await using var rc = Engines.Create();
        var session = noSsh is null ? rc.CreateSession("w1", server.Spec()) : null;
        var durations = TaskDurations.Watch(rc, "w1");
        var taskActorMs = new List<double>();
        var (cpuRControl, cpuRaw) = (new Cpu(), new Cpu());
        using var client = await RawSsh.ConnectAsync(server).ConfigureAwait(false);
        await Measure.InterleaveAsync(
            options.Runs,
            (row.RControl, session is null ? null : async () =>
            {
                var ms = await PerCommandMsAsync(async () =>
                {
                    for (var i = 0; i < SeqCommands; i++)
                    {
                        await session.Execute("true").WaitAsync().ConfigureAwait(false);
                    }
                }, cpuRControl).ConfigureAwait(false);
                taskActorMs.Add(durations.TakeMedianMs());
                return ms;
            }),
            (row.Raw, () => PerCommandMsAsync(async () =>
            {
                for (var i = 0; i < SeqCommands; i++)
                {
                    await RawSsh.RunAsync(client, "true").ConfigureAwait(false);
                }
            }, cpuRaw)));
        if (session is not null)
        {
            row.Note(CpuNote(cpuRControl, cpuRaw));
            row.Note($"breakdown: the command-task actor's own lifetime (transport start to end) {Stats.Median(taskActorMs):0.000} ms/cmd; the rest is messaging around it (facade, supervisor, handle and session actors, settling)");
        }

        return row;
    }

    /// <summary>
    /// W1′ diagnostic: the same 200 commands through the engine's SSH transport alone (no actors), interleaved with
    /// raw SSH.NET and with raw SSH.NET running the transport's wrapper (<c>exec /bin/sh -c '…'</c>, PGID echo):
    /// splits RControl's per-command cost into wrapper, transport and actors.
    /// </summary>
    public async Task<IReadOnlyList<Row>> W1BreakdownAsync(string? noSsh)
    {
        var transportRow = new Row
        {
            Workload = "W1′ the engine's SshTransport alone (no actors): 200 sequential `true`",
            Unit = "ms/cmd",
            Baseline = "raw SSH.NET",
            Target = "(diagnostic)",
            NotMeasured = noSsh,
        };
        var wrapperRow = new Row
        {
            Workload = "W1″ raw SSH.NET running the transport's wrapper around `true` (registration with the connection's guardian, `</dev/null`, no second sh when the login shell is /bin/sh)",
            Unit = "ms/cmd",
            Baseline = "raw SSH.NET",
            Target = "(diagnostic)",
        };
        await using var transport = new RControl.Transports.Ssh.SshTransport(server.Spec());
        using var client = await RawSsh.ConnectAsync(server).ConfigureAwait(false);
        // The wrapper as the transport runs it on a connection whose guardian is ready.
        var guardian = await RControl.Transports.Ssh.SshGuardian.StartAsync(client).ConfigureAwait(false);
        var ready = Stopwatch.StartNew();
        while (guardian.Directory is null && ready.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        var wrapped = RControl.Transports.Ssh.SshCommandLine.Build(new RControl.Protocol.CommandSpec("true"), null, RControl.Transports.Ssh.SshCommandLine.NewNonce(), guardian.Directory, guardian.LoginShellIsSh);
        var (cpuTransport, cpuWrapper, cpuRaw) = (new Cpu(), new Cpu(), new Cpu());
        await Measure.InterleaveAsync(
            options.Runs,
            (transportRow.RControl, noSsh is not null ? null : () => PerCommandMsAsync(async () =>
            {
                for (var i = 0; i < SeqCommands; i++)
                {
                    await using var command = await transport.StartAsync(new RControl.Protocol.CommandSpec("true"), CancellationToken.None).ConfigureAwait(false);
                    await command.StandardOutput.CopyToAsync(Stream.Null).ConfigureAwait(false);
                    await command.ExitCode.ConfigureAwait(false);
                }
            }, cpuTransport)),
            (wrapperRow.RControl, () => PerCommandMsAsync(async () =>
            {
                for (var i = 0; i < SeqCommands; i++)
                {
                    await RawSsh.RunAsync(client, wrapped).ConfigureAwait(false);
                }
            }, cpuWrapper)),
            (transportRow.Raw, () => PerCommandMsAsync(async () =>
            {
                for (var i = 0; i < SeqCommands; i++)
                {
                    await RawSsh.RunAsync(client, "true").ConfigureAwait(false);
                }
            }, cpuRaw)));
        wrapperRow.Raw.AddRange(transportRow.Raw);
        if (noSsh is null)
        {
            transportRow.Note(CpuNote(cpuTransport, cpuRaw, "transport"));
        }

        wrapperRow.Note(CpuNote(cpuWrapper, cpuRaw, "wrapper") + (guardian.LoginShellIsSh
            ? "; the login shell is /bin/sh: the wrapper runs in it (no second sh)"
            : "; the login shell is not /bin/sh: the wrapper re-executes /bin/sh"));
        return [transportRow, wrapperRow];
    }

    private async Task<double> PerCommandMsAsync(Func<Task> run, Cpu? cpu = null)
    {
        // CPU time (user + system) per command, of this process and of the sshd tree (its command shells included):
        // steadier than the wall time on a loaded machine.
        var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var serverBefore = server.Pid is { } pid ? TreeCpu.Milliseconds(pid) : 0;
        var ms = await Measure.SecondsAsync(run).ConfigureAwait(false) * 1000 / SeqCommands;
        cpu?.Client.Add((Process.GetCurrentProcess().TotalProcessorTime - clientBefore).TotalMilliseconds / SeqCommands);
        cpu?.Server.Add(((server.Pid is { } after ? TreeCpu.Milliseconds(after) : 0) - serverBefore) / SeqCommands);
        return ms;
    }

    /// <summary>CPU per command of one side's runs: the client (this process) and the server (the sshd tree).</summary>
    private sealed record Cpu(List<double> Client, List<double> Server)
    {
        public Cpu()
            : this([], [])
        {
        }
    }

    private static string CpuNote(Cpu rcontrol, Cpu raw, string side = "RControl") =>
        $"CPU (user + sys) per command, medians: client {side} {Stats.Median(rcontrol.Client):0.000} ms, raw SSH.NET {Stats.Median(raw.Client):0.000} ms; " +
        $"server (sshd and the command's shells) {side} {Stats.Median(rcontrol.Server):0.00} ms, raw SSH.NET {Stats.Median(raw.Server):0.00} ms";

    public async Task<Row> W2Async(string? noSsh)
    {
        var row = new Row
        {
            Workload = $"W2 ssh-fanout-slow: {FanoutCommands} concurrent `sleep 1; echo done` on one session (sshd MaxSessions 10)",
            Unit = "s",
            Baseline = $"raw SSH.NET, {FanoutConnections} connections × 10 channels (all connected in the timing, as RControl's)",
            Target = "60/60 succeed; ≤ 1.5 s",
            IsMet = r => r.RControlMedian <= 1.5,
            NotMeasured = noSsh,
        };
        // Both sides cold: every run opens its connections inside the timing (a fresh session; fresh raw clients).
        if (noSsh is null)
        {
            await using var rc = Engines.Create();
            var round = 0;
            await Measure.RepeatAsync(options.Runs, row.RControl, async () =>
            {
                var session = rc.CreateSession($"w2-{++round}", server.Spec() with { MaxConnections = FanoutEngineConnections });
                var seconds = await Measure.SecondsAsync(async () =>
                {
                    var tasks = Enumerable.Range(0, FanoutCommands).Select(_ => session.Execute("sleep 1; echo done")).ToArray();
                    var errors = await session.WaitForTasksAsync(raiseIfError: false).ConfigureAwait(false);
                    var succeeded = tasks.Count(t => t.Error is null && t.ExitCode == 0);
                    if (succeeded != FanoutCommands)
                    {
                        row.Failure = $"{succeeded}/{FanoutCommands} succeeded: {errors.FirstOrDefault()?.Message}";
                    }
                    else
                    {
                        row.Note($"{FanoutCommands}/{FanoutCommands} succeeded (max-connections = {FanoutEngineConnections}: 9 commands and the guardian per connection); both sides connect inside the timing");
                    }
                }).ConfigureAwait(false);
                await session.CloseAsync().ConfigureAwait(false);
                return seconds;
            });
        }

        // One raw connection cannot run more than 10 at once (MaxSessions): show that, then do it right with 6.
        using (var single = await RawSsh.ConnectAsync(server).ConfigureAwait(false))
        {
            var clock = Stopwatch.StartNew();
            var results = await Task.WhenAll(Enumerable.Range(0, FanoutCommands).Select(async _ =>
            {
                try
                {
                    await RawSsh.RunAsync(single, "sleep 1; echo done").ConfigureAwait(false);
                    return true;
                }
                catch (Exception)
                {
                    return false;
                }
            })).ConfigureAwait(false);
            row.Note($"raw SSH.NET on one connection: {results.Count(ok => ok)}/{FanoutCommands} succeed in {clock.Elapsed.TotalSeconds:0.0} s (SSH.NET queues channels to MaxSessions)");
        }

        await Measure.RepeatAsync(options.Runs, row.Raw, () => Measure.SecondsAsync(async () =>
        {
            var clients = await Task.WhenAll(Enumerable.Range(0, FanoutConnections).Select(_ => RawSsh.ConnectAsync(server))).ConfigureAwait(false);
            var outputs = await Task.WhenAll(Enumerable.Range(0, FanoutCommands).Select(i => RawSsh.RunAsync(clients[i % FanoutConnections], "sleep 1; echo done"))).ConfigureAwait(false);
            if (outputs.Any(o => o != "done\n"))
            {
                row.Failure = "raw: a command printed something else than 'done'";
            }

            foreach (var client in clients)
            {
                client.Dispose();
            }
        }));
        return row;
    }

    public async Task<Row> W3Async(string? noSsh)
    {
        var row = new Row
        {
            Workload = $"W3 ssh-lines: `seq 1 {SeqLines}` over SSH into a per-line callback",
            Unit = "M lines/s",
            HigherIsBetter = true,
            Baseline = "raw SSH.NET, pipelined async line reader (every line checked)",
            Target = "≥ 2.0 M lines/s",
            IsMet = r => r.RControlMedian >= 2.0,
            NotMeasured = noSsh,
        };
        await using var rc = Engines.Create();
        var session = noSsh is null ? rc.CreateSession("w3", server.Spec()) : null;
        using var client = await RawSsh.ConnectAsync(server).ConfigureAwait(false);
        await Measure.InterleaveAsync(
            options.Runs,
            (row.RControl, session is null ? null : () => LocalWorkloads.CountIntoCallbackAsync(session, $"seq 1 {SeqLines}", SeqLines, row)),
            (row.Raw, () => LocalWorkloads.RawLinesAsync(onLine => RawSsh.CountLinesAsync(client, $"seq 1 {SeqLines}", onLine), SeqLines, row)));
        return row;
    }

    public async Task<Row> W4Async(string? noSsh)
    {
        var row = new Row
        {
            Workload = $"W4 ssh-many-conns: {Hosts} sessions × {CommandsPerHost} sequential `echo hi`, all in parallel, connect included",
            Unit = "s",
            Baseline = "raw SSH.NET, curve25519-sha256 first (as RControl)",
            Target = "≤ 0.9 s",
            IsMet = r => r.RControlMedian <= 0.9,
            NotMeasured = noSsh,
        };
        if (noSsh is null)
        {
            await using var rc = Engines.Create();
            var round = 0;
            var firstDone = new List<double>();
            await Measure.RepeatAsync(options.Runs, row.RControl, async () =>
            {
                round++;
                var sessions = new Session[Hosts];
                var clock = Stopwatch.StartNew();
                var first = new double[Hosts];
                var seconds = await Measure.SecondsAsync(() => Task.WhenAll(Enumerable.Range(0, Hosts).Select(async h =>
                {
                    var session = sessions[h] = rc.CreateSession($"w4-{round}-{h}", server.Spec());
                    for (var i = 0; i < CommandsPerHost; i++)
                    {
                        await session.Execute("echo hi").WaitAsync().ConfigureAwait(false);
                        if (i == 0)
                        {
                            first[h] = clock.Elapsed.TotalSeconds;
                        }
                    }
                })));
                firstDone.Add(first.Max());
                await Task.WhenAll(sessions.Select(s => s.CloseAsync())).ConfigureAwait(false);
                return seconds;
            });
            row.Note($"RControl breakdown: all 20 connected and through their first command at {Stats.Median(firstDone):0.000} s (median)");
        }

        await Measure.RepeatAsync(options.Runs, row.Raw, () => RawManyConnectionsAsync(fastKeyExchange: true));
        row.Note($"raw SSH.NET all 20 through their first command at {Stats.Median(_rawFastFirstDone):0.000} s (median)");
        var defaultOrder = new List<double>();
        await Measure.RepeatAsync(options.Runs, defaultOrder, () => RawManyConnectionsAsync(fastKeyExchange: false), warmUp: false);
        row.Note($"raw SSH.NET with its default key-exchange order (slower): median {Stats.Median(defaultOrder):0.000} s");
        var fastWrapped = new List<double>();
        await Measure.RepeatAsync(options.Runs, fastWrapped, () => RawManyConnectionsAsync(fastKeyExchange: true, WrappedEcho), warmUp: false);
        row.Note($"the same running RControl's wrapper around `echo hi`: median {Stats.Median(fastWrapped):0.000} s");

        // Breakdown: the connect phase alone, RControl's connector (ssh_config, known_hosts, key, fast kex) against raw SSH.NET.
        var engineConnect = new List<double>();
        var rawConnect = new List<double>();
        await Measure.RepeatAsync(options.Runs, engineConnect, () => ConnectAllAsync(() => RControl.Transports.Ssh.SshConnector.ConnectAsync(server.Spec(), CancellationToken.None)), warmUp: false);
        await Measure.RepeatAsync(options.Runs, rawConnect, () => ConnectAllAsync(() => RawSsh.ConnectAsync(server, fastKeyExchange: true)), warmUp: false);
        row.Note($"connect phase only, {Hosts} in parallel: RControl's SshConnector {Stats.Median(engineConnect):0.000} s, raw SSH.NET curve25519 first {Stats.Median(rawConnect):0.000} s");
        return row;
    }

    private static async Task<double> ConnectAllAsync(Func<Task<SshClient>> connect)
    {
        var clients = Array.Empty<SshClient>();
        var seconds = await Measure.SecondsAsync(async () => clients = await Task.WhenAll(Enumerable.Range(0, Hosts).Select(_ => connect())).ConfigureAwait(false)).ConfigureAwait(false);
        foreach (var client in clients)
        {
            client.Dispose();
        }

        return seconds;
    }

    private static readonly string WrappedEcho = RControl.Transports.Ssh.SshCommandLine.Build(new RControl.Protocol.CommandSpec("echo hi"), null, RControl.Transports.Ssh.SshCommandLine.NewNonce());

    private readonly List<double> _rawFastFirstDone = [];

    private async Task<double> RawManyConnectionsAsync(bool fastKeyExchange, string command = "echo hi")
    {
        var clients = new SshClient[Hosts];
        var first = new double[Hosts];
        var clock = Stopwatch.StartNew();
        var seconds = await Measure.SecondsAsync(() => Task.WhenAll(Enumerable.Range(0, Hosts).Select(async h =>
        {
            var client = clients[h] = await RawSsh.ConnectAsync(server, fastKeyExchange).ConfigureAwait(false);
            for (var i = 0; i < CommandsPerHost; i++)
            {
                await RawSsh.RunAsync(client, command).ConfigureAwait(false);
                if (i == 0)
                {
                    first[h] = clock.Elapsed.TotalSeconds;
                }
            }
        }))).ConfigureAwait(false);
        if (fastKeyExchange && command == "echo hi")
        {
            _rawFastFirstDone.Add(first.Max());
        }

        foreach (var client in clients)
        {
            client.Dispose();
        }

        return seconds;
    }

    public async Task<Row> W7Async(string? noSsh)
    {
        var row = new Row
        {
            Workload = "W7 timeout: `sleep 5` with a 0.5 s timeout over SSH",
            Unit = "ms late",
            Baseline = "raw SSH.NET CommandTimeout",
            Target = "reported ≤ 50 ms after the deadline; 0 processes left",
            IsMet = r => r.RControlMedian <= 50 && r.Notes.Any(n => n == "RControl: 0 processes left"),
            NotMeasured = noSsh,
        };
        var timeout = TimeSpan.FromMilliseconds(500);
        await ProbeProcessCountingAsync().ConfigureAwait(false);
        if (noSsh is null)
        {
            await using var rc = Engines.Create();
            var session = rc.CreateSession("w7", server.Spec());
            await session.Execute("true").WaitAsync().ConfigureAwait(false);
            var leftTotal = 0;
            await Measure.RepeatAsync(options.Runs, row.RControl, async () =>
            {
                var marker = Marker();
                var clock = Stopwatch.StartNew();
                var task = session.Execute($"sleep {marker}", new CommandOptions { Timeout = timeout });
                await task.WaitAsync(raiseIfError: false).ConfigureAwait(false);
                var late = clock.Elapsed.TotalMilliseconds - timeout.TotalMilliseconds;
                if (!task.TimedOut)
                {
                    row.Failure = "the task did not report a timeout";
                }

                leftTotal += await LeftAfterAsync(marker).ConfigureAwait(false);
                return late;
            });
            row.Note($"RControl: {leftTotal} processes left");
        }

        using var client = await RawSsh.ConnectAsync(server).ConfigureAwait(false);
        var rawLeft = 0;
        await Measure.RepeatAsync(options.Runs, row.Raw, async () =>
        {
            var marker = Marker();
            using var command = client.CreateCommand($"sleep {marker}");
            command.CommandTimeout = timeout;
            var clock = Stopwatch.StartNew();
            try
            {
                await Task.Run(() => command.Execute()).ConfigureAwait(false);
            }
            catch (SshOperationTimeoutException)
            {
            }

            var late = clock.Elapsed.TotalMilliseconds - timeout.TotalMilliseconds;
            rawLeft += await LeftAfterAsync(marker).ConfigureAwait(false);
            return late;
        });
        row.Note($"raw SSH.NET: {rawLeft} processes left (killed by the benchmark afterwards)");
        return row;
    }

    /// <summary>Checks that a running command is seen by the process count (so "0 left" means something).</summary>
    private async Task ProbeProcessCountingAsync()
    {
        using var client = await RawSsh.ConnectAsync(server).ConfigureAwait(false);
        var marker = Marker();
        using var command = client.CreateCommand($"sleep {marker}");
        var run = command.ExecuteAsync();
        // Throws (and the row fails) if the running command is never seen: then a count of 0 would prove nothing.
        await Poll.UntilAsync(async () => (await PgrepAsync($"sleep {marker}").ConfigureAwait(false)).Count > 0, TimeSpan.FromSeconds(5),
            $"pgrep -u {server.User.Name} to see a running 'sleep {marker}' (W7 process count check)").ConfigureAwait(false);
        foreach (var pid in await PgrepAsync($"sleep {marker}").ConfigureAwait(false))
        {
            ProcessTree.Kill(pid);
        }

        await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
    }

    /// <summary>A unique `sleep` argument (5.000xxx seconds) to find the command's processes on the server.</summary>
    private static string Marker() => "5." + Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);

    /// <summary>The login user's processes still running the marker 1 s after the report (polled); then they are killed by pid.</summary>
    private async Task<int> LeftAfterAsync(string marker)
    {
        var pattern = $"sleep {marker}";
        var deadline = Stopwatch.StartNew();
        IReadOnlyList<int> left;
        do
        {
            left = await PgrepAsync(pattern).ConfigureAwait(false);
            if (left.Count == 0)
            {
                return 0;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
        while (deadline.Elapsed < TimeSpan.FromSeconds(1));

        foreach (var pid in left)
        {
            ProcessTree.Kill(pid);
        }

        return left.Count;
    }

    private async Task<IReadOnlyList<int>> PgrepAsync(string pattern)
    {
        var result = await ProcessRunner.RunAsync("pgrep", ["-u", server.User.Name, "-f", pattern]).ConfigureAwait(false);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    }
}
