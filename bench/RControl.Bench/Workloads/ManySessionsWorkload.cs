using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using RControl.Bench.Harness;
using RControl.Protocol;
using RControl.TestSupport;

namespace RControl.Bench.Workloads;

/// <summary>
/// W12: 1,000 SSH sessions (a connection each) to one sshd, each running `true`, all at once, in one process. Each run
/// is a fresh child process of this program, so its peak resident set (VmHWM) and peak thread count are the
/// workload's alone; the note gives the cost per connection (time, and resident set above the idle process).
/// </summary>
public static class ManySessionsWorkload
{
    public const string ChildFlag = "--w12-child";
    public const int Sessions = 1000;
    private const string ResultPrefix = "W12RESULT ";
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromMinutes(3);

    public static async Task<Row> RunAsync(SshServer server, BenchOptions options, string? noSsh)
    {
        var row = new Row
        {
            Workload = $"W12 {Sessions:N0} SSH sessions (connections) in one process, each running `true`, all at once",
            Unit = "s",
            Baseline = $"raw SSH.NET, {Sessions:N0} `SshClient`s connected at once",
            Target = "(measured: time, peak RSS, threads, cost per connection)",
            NotMeasured = noSsh,
        };
        var results = new Dictionary<string, List<ChildResult>> { ["rcontrol"] = [], ["raw"] = [] };
        // A fresh child per run: no warm-up run, alternating sides; at most 2 runs each (each is 1,000 connections).
        for (var run = 0; run < Math.Min(options.Runs, 2); run++)
        {
            foreach (var side in noSsh is null ? new[] { "rcontrol", "raw" } : ["raw"])
            {
                Measure.Settle();
                var result = await RunChildAsync(server, side).ConfigureAwait(false);
                results[side].Add(result);
                (side == "raw" ? row.Raw : row.RControl).Add(result.Seconds);
            }
        }

        foreach (var (side, name) in new[] { ("rcontrol", "RControl"), ("raw", "raw SSH.NET") })
        {
            if (results[side].Count == 0)
            {
                continue;
            }

            var seconds = Stats.Median(results[side].Select(r => r.Seconds).ToArray());
            var peak = Stats.Median(results[side].Select(r => (double)r.PeakRssBytes).ToArray());
            var idle = Stats.Median(results[side].Select(r => (double)r.IdleRssBytes).ToArray());
            var threads = Stats.Median(results[side].Select(r => (double)r.PeakThreads).ToArray());
            var connects = results[side].Max(r => r.PeakConnects);
            row.Note(string.Create(CultureInfo.InvariantCulture,
                $"{name}: peak RSS {peak / 1048576:0} MiB ({(peak - idle) / Sessions / 1024:0} KiB per connection above the idle process's {idle / 1048576:0} MiB), peak threads {threads:0}, {seconds * 1000 / Sessions:0.00} ms per connection{(side == "raw" ? $", {results[side].Sum(r => r.Retries)} connects dropped by sshd and retried" : $", at most {connects} connects in flight (rcontrol.ssh.max-connects-in-flight)")}"));
        }

        row.Note($"both sides with a {ConnectTimeout.TotalMinutes:0}-minute connect timeout, RControl also with a {ConnectTimeout.TotalMinutes:0}-minute connect budget (queued connects wait for a slot within the budget; the 30 s default does not cover 1,000 key exchanges on 2 loaded cores)");
        return row;
    }

    private static async Task<ChildResult> RunChildAsync(SshServer server, string side)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            info.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }

        foreach (var argument in new[]
        {
            ChildFlag, side, server.Port.ToString(CultureInfo.InvariantCulture), server.User.Name, server.ClientKey.PrivateKeyFile,
            server.KnownHostsFile, server.SshConfigFile, server.HostKey.Fingerprint,
        })
        {
            info.ArgumentList.Add(argument);
        }

        using var child = Process.Start(info) ?? throw new InvalidOperationException("cannot start the W12 child");
        var stderr = child.StandardError.ReadToEndAsync();
        var output = (await child.StandardOutput.ReadToEndAsync().ConfigureAwait(false)).Trim();
        await child.WaitForExitAsync().ConfigureAwait(false);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal));
        if (child.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"W12 child ({side}) exited with {child.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()}");
        }

        var parts = line[ResultPrefix.Length..].Split(' ');
        return new ChildResult(
            double.Parse(parts[0], CultureInfo.InvariantCulture),
            long.Parse(parts[1], CultureInfo.InvariantCulture),
            long.Parse(parts[2], CultureInfo.InvariantCulture),
            int.Parse(parts[3], CultureInfo.InvariantCulture),
            int.Parse(parts[4], CultureInfo.InvariantCulture),
            int.Parse(parts[5], CultureInfo.InvariantCulture));
    }

    /// <summary>The child: opens the sessions once and prints "W12RESULT seconds peakRss idleRss peakThreads retries peakConnects".</summary>
    public static async Task<int> ChildAsync(string[] args)
    {
        var (side, port, user, key, knownHosts, sshConfig, fingerprint) = (args[0], int.Parse(args[1], CultureInfo.InvariantCulture), args[2], args[3], args[4], args[5], args[6]);
        var spec = new SshSessionSpec("127.0.0.1")
        {
            Port = port,
            User = user,
            IdentityFiles = [key],
            KnownHostsFile = knownHosts,
            SshConfigFile = sshConfig,
            HostKeyPolicy = HostKeyPolicy.Strict,
            // 1,000 key exchanges at once on 2 loaded cores take longer than the 10 s default for each.
            ConnectTimeout = ConnectTimeout,
            ConnectBudget = ConnectTimeout,
        };
        using var sampling = new CancellationTokenSource();
        var peakThreads = 0;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakThreads = Math.Max(peakThreads, (int)Status("Threads:"));
                await Task.Delay(20).ConfigureAwait(false);
            }
        });

        double seconds;
        long idleRss;
        var retries = 0;
        var peakConnects = 0;
        if (side == "raw")
        {
            idleRss = Status("VmRSS:") * 1024;
            var clients = new Renci.SshNet.SshClient[Sessions];
            seconds = await Measure.SecondsAsync(() => Task.WhenAll(Enumerable.Range(0, Sessions).Select(async i =>
            {
                // As RControl's pool does, a connection sshd drops before its banner (too many at once) is tried again.
                for (var attempt = 1; ; attempt++)
                {
                    var client = clients[i] = RawSsh.Create("127.0.0.1", port, user, key, fingerprint);
                    client.ConnectionInfo.Timeout = ConnectTimeout;
                    try
                    {
                        await client.ConnectAsync(CancellationToken.None).ConfigureAwait(false);
                        break;
                    }
                    catch (Renci.SshNet.Common.SshConnectionException) when (attempt < 10)
                    {
                        client.Dispose();
                        Interlocked.Increment(ref retries);
                        await Task.Delay(250 * attempt).ConfigureAwait(false);
                    }
                }

                var connected = clients[i];
                await RawSsh.RunAsync(connected, "true").ConfigureAwait(false);
            }))).ConfigureAwait(false);
            peakThreads = Math.Max(peakThreads, (int)Status("Threads:"));
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
        else
        {
            await using var rc = Engines.Create();
            var probe = rc.CreateLocalSession("warm");
            await probe.Execute("true").WaitAsync().ConfigureAwait(false);
            idleRss = Status("VmRSS:") * 1024;
            var sessions = Enumerable.Range(0, Sessions).Select(i => rc.CreateSession($"w12-{i}", spec)).ToArray();
            seconds = await Measure.SecondsAsync(() => Task.WhenAll(sessions.Select(s => s.Execute("true").WaitAsync()))).ConfigureAwait(false);
            peakThreads = Math.Max(peakThreads, (int)Status("Threads:"));
            peakConnects = RControl.Configuration.RControlSettings.Get(rc.ActorSystem).SshConnects.PeakInProgress;
            await Task.WhenAll(sessions.Select(s => s.CloseAsync())).ConfigureAwait(false);
        }

        await sampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ResultPrefix}{seconds:0.000} {Status("VmHWM:") * 1024} {idleRss} {peakThreads} {retries} {peakConnects}"));
        return 0;
    }

    /// <summary>A number from /proc/self/status (kB for sizes).</summary>
    private static long Status(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private sealed record ChildResult(double Seconds, long PeakRssBytes, long IdleRssBytes, int PeakThreads, int Retries, int PeakConnects);
}
