using System.Diagnostics;
using System.Text.RegularExpressions;
using RControl.Jobs;
using RControl.Remote.Tests.Support;
using RControl.TestSupport;

namespace RControl.Remote.Tests.Jobs;

/// <summary>
/// The job store goes away while a job runs (a real daemon process; PostgreSQL stopped, or the SQLite file made
/// read-only): the job runs on and ends, the daemon reports the outage once naming the store, refuses new jobs clearly,
/// and once the store is back every record and line held meanwhile is written; new jobs run again.
/// </summary>
public sealed class JobStoreOutageTests
{
    private const string Config = """
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {port} }
        rcontrol.sessions { local { type = local } }
        """;

    [Fact]
    public async Task A_stopped_postgresql_server_holds_the_records_until_it_is_back_and_the_job_runs_on()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var connection = await postgres.CreateDatabaseAsync();
        var database = Regex.Match(connection, "Database=([^;]+)").Groups[1].Value;
        await using var daemon = await DaemonProcess.StartReadyAsync(
            Config + "\nrcontrol.daemon.store { provider = postgresql, connection-string = ${?RCONTROL_STORE} }",
            environment: new Dictionary<string, string> { ["RCONTROL_STORE"] = connection });
        await RunThroughOutageAsync(daemon, $"postgresql 127.0.0.1:{postgres.Port}/{database}", () => postgres.StopAsync(), () => postgres.StartAgainAsync(), readsFail: true);
    }

    [Fact]
    public async Task An_sqlite_file_made_read_only_holds_the_records_until_it_is_writable_and_the_job_runs_on()
    {
        var metricsPort = Ports.Free();
        await using var daemon = await DaemonProcess.StartReadyAsync(Config + $"\nrcontrol.daemon.metrics.prometheus {{ enabled = on, port = {metricsPort} }}");
        await daemon.WaitForOutputAsync("metrics: Prometheus endpoint on", TimeSpan.FromSeconds(10));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(daemon.StateDir, "metrics-token"))).Trim());
        var files = new[] { "rcontrol.db", "rcontrol.db-wal" }.Select(f => Path.Combine(daemon.StateDir, f)).ToArray();
        Assert.All(files, f => Assert.True(File.Exists(f), $"{f} is missing"));

        // Root writes through file modes: the immutable attribute is what stops it.
        var store = $"sqlite {files[0]}";
        await RunThroughOutageAsync(
            daemon,
            store,
            () => ChattrAsync("+i", files),
            async () =>
            {
                // The health path says so while the store is down (a probe sees it), and recovers with it.
                var health = await http.GetAsync("/healthz");
                Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, health.StatusCode);
                Assert.Contains($"the job store {store} is unavailable", await health.Content.ReadAsStringAsync());
                await ChattrAsync("-i", files);
            });
        await Poll.UntilAsync(async () => (await http.GetAsync("/healthz")).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "healthy again");
    }

    [Fact]
    public async Task A_daemon_stopped_while_its_store_is_away_says_what_is_lost_and_the_restart_reports_the_job_interrupted()
    {
        await using var daemon = await DaemonProcess.StartReadyAsync(Config + "\nrcontrol.daemon.shutdown-grace-period = 1s");
        daemon.KeepDirectory = true;
        var files = new[] { "rcontrol.db", "rcontrol.db-wal" }.Select(f => Path.Combine(daemon.StateDir, f)).ToArray();
        string id;
        await using (var client = await RemoteEngine.ConnectAsync(daemon.Address, daemon.AdminConfig))
        {
            var sleeper = new SleepMarker();
            id = await client.SubmitAsync(JobRequest.Exec($"echo started; {sleeper.Command}", ["local"]));
            await Poll.UntilAsync(async () => await client.ReadJobOutputAsync(id).AnyAsync(), TimeSpan.FromSeconds(30), "the job's first line stored");
        }

        await ChattrAsync("+i", files);
        try
        {
            daemon.Signal(DaemonProcess.SigTerm);
            Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Matches(@"job store sqlite \S+ is unavailable", daemon.Output);
            Assert.Matches(@"the daemon is stopping and the store still refuses writes \(.+\): [1-9][0-9]* record\(s\) are lost", daemon.Output);
        }
        finally
        {
            await ChattrAsync("-i", files);
        }

        // What could not be written is not forgotten: the restart finds the job unfinished and reports it once.
        await using var again = await DaemonProcess.StartReadyAsync(Config, dir: daemon.Directory, port: daemon.Port);
        await using var next = await RemoteEngine.ConnectAsync(again.Address, again.AdminConfig);
        var job = await next.GetJobAsync(id);
        Assert.Equal((JobState.Interrupted, "interrupted (daemon restarted)"), (job.State, job.Tasks[0].Error));
        Assert.Equal(["started"], await next.ReadJobOutputAsync(id).Select(l => l.Text).ToListAsync());
    }

    /// <param name="readsFail">The store answers no queries while it is down (PostgreSQL stopped; a read-only SQLite file still reads).</param>
    private static async Task RunThroughOutageAsync(DaemonProcess daemon, string store, Func<Task> breakStore, Func<Task> mendStore, bool readsFail = false)
    {
        var dir = Directory.CreateTempSubdirectory("rcontrol-outage-").FullName;
        var stop = Path.Combine(dir, "stop");
        var ended = Path.Combine(dir, "ended");
        var count = Path.Combine(dir, "count");
        int Printed() => int.TryParse(File.Exists(count) ? File.ReadAllText(count).Trim() : "", out var n) ? n : 0;
        await using var client = await RemoteEngine.ConnectAsync(daemon.Address, daemon.AdminConfig);
        var id = await client.SubmitAsync(JobRequest.Exec($"i=0; while [ ! -e {stop} ]; do i=$((i+1)); echo line $i; echo $i > {count}; sleep 0.05; done; echo end; touch {ended}", ["local"]));
        await Poll.UntilAsync(async () => await client.ReadJobOutputAsync(id).AnyAsync(), TimeSpan.FromSeconds(30), "the job's first line stored");

        await breakStore();
        var unavailable = $"job store {store} is unavailable";
        await daemon.WaitForOutputAsync(unavailable, TimeSpan.FromSeconds(30));
        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => client.SubmitAsync(JobRequest.Exec("echo refused", ["local"])));
        Assert.Contains($"the job store {store} is unavailable", refused.Message);

        // wait and logs --follow started during the outage wait for the store (saying so once when it answers nothing)
        // and then finish as they would have: every line, in order, and the job's status.
        using var waiting = JobCli.Start(daemon, "wait", id);
        using var following = JobCli.Start(daemon, "logs", id, "--follow");
        var waitingErr = Collect(waiting, stdout: false);
        var followingOut = Collect(following, stdout: true);
        var followingErr = Collect(following, stdout: false);
        var notice = $"rcontrol: the job store {store} is unavailable: ";
        bool Notice(string l) => l.StartsWith(notice, StringComparison.Ordinal) && l.EndsWith("; waiting for it (the job runs on)", StringComparison.Ordinal);

        // The job runs on, printing lines to hold, and ends while the store is away.
        var atOutage = Printed();
        await Poll.UntilAsync(() => Printed() >= atOutage + 10, TimeSpan.FromSeconds(30), "the job printing on during the outage");
        File.WriteAllText(stop, "");
        await Poll.UntilAsync(() => File.Exists(ended), TimeSpan.FromSeconds(30), "the job's command ended during the outage");

        // Both clients are in: they said they wait for the store, or (a store that still reads) follow prints.
        await Poll.UntilAsync(
            () => Task.FromResult(waiting.HasExited || following.HasExited || (readsFail ? waitingErr.Any(Notice) && followingErr.Any(Notice) : !followingOut.IsEmpty)),
            TimeSpan.FromSeconds(60),
            "wait and logs --follow waiting through the outage");
        Assert.False(waiting.HasExited, $"wait ended during the outage: {string.Join('\n', waitingErr)}");
        Assert.False(following.HasExited, $"logs --follow ended during the outage: {string.Join('\n', followingErr)}");
        await mendStore();
        var job = await client.WaitForJobAsync(id);
        Assert.Equal(JobState.Succeeded, job.State);
        var lines = await client.ReadJobOutputAsync(id).Select(l => l.Text).ToListAsync();
        Assert.Equal("end", lines[^1]);
        Assert.Equal(Enumerable.Range(1, lines.Count - 1).Select(i => $"line {i}"), lines[..^1]);
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await waiting.WaitForExitAsync(cts.Token);
            await following.WaitForExitAsync(cts.Token);
        }

        Assert.True(waiting.ExitCode == 0, $"wait: exit {waiting.ExitCode}: {string.Join('\n', waitingErr)}");
        Assert.True(following.ExitCode == 0, $"logs --follow: exit {following.ExitCode}: {string.Join('\n', followingErr)}");
        Assert.Equal(lines.Select(l => $"local: {l}"), followingOut);
        if (readsFail)
        {
            // Once per outage, not once per retry.
            Assert.Single(waitingErr, Notice);
            Assert.Single(followingErr, Notice);
        }

        Assert.Single(Regex.Matches(daemon.Output, Regex.Escape(unavailable)));
        await daemon.WaitForOutputAsync($"job store {store} is back", TimeSpan.FromSeconds(30));
        var after = await client.SubmitAsync(JobRequest.Exec("echo after", ["local"]));
        Assert.Equal(JobState.Succeeded, (await client.WaitForJobAsync(after)).State);
        Directory.Delete(dir, true);
    }

    /// <summary>A started client's stdout or stderr lines, as they come.</summary>
    private static System.Collections.Concurrent.ConcurrentQueue<string> Collect(Process process, bool stdout)
    {
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Add(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is { } line)
            {
                lines.Enqueue(line);
            }
        }

        if (stdout)
        {
            process.OutputDataReceived += Add;
            process.BeginOutputReadLine();
        }
        else
        {
            process.ErrorDataReceived += Add;
            process.BeginErrorReadLine();
        }

        return lines;
    }

    private static async Task ChattrAsync(string flag, string[] files)
    {
        using var chattr = Process.Start("chattr", [flag, .. files]) ?? throw new InvalidOperationException("cannot start chattr");
        await chattr.WaitForExitAsync();
        Assert.True(chattr.ExitCode == 0, $"chattr {flag} failed (the file system must support the immutable attribute)");
    }
}
