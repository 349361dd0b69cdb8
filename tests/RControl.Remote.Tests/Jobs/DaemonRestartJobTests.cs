using RControl.Jobs;
using RControl.Remote.Tests.Support;
using RControl.TestSupport;

namespace RControl.Remote.Tests.Jobs;

/// <summary>
/// Jobs across daemon restarts (real daemon processes on one state directory): SIGKILL mid-job, SIGTERM, and retention.
/// </summary>
public sealed class DaemonRestartJobTests(SshdFixture sshd) : IClassFixture<SshdFixture>
{
    private const string Config = """
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {port} }
        rcontrol {
          sessions { local { type = local } }
          daemon.shutdown-grace-period = 1s
        }
        """;

    private const string Interrupted = "interrupted (daemon restarted)";

    [Fact]
    public async Task A_daemon_killed_with_SIGKILL_reports_each_running_task_interrupted_once_and_loses_nothing()
    {
        var first = await DaemonProcess.StartReadyAsync(Config);
        first.KeepDirectory = true;
        var sleeper = new SleepMarker();
        string finished, running;
        await using (var client = await RemoteEngine.ConnectAsync(first.Address, first.AdminConfig))
        {
            finished = await client.SubmitAsync(JobRequest.Exec("seq 1 500", ["local"]));
            Assert.Equal(JobState.Succeeded, (await client.WaitForJobAsync(finished)).State);
            running = await client.SubmitAsync(JobRequest.Exec($"echo started; {sleeper.Command}", ["local"]));
            await Poll.UntilAsync(() => sleeper.Sleeping == 1, TimeSpan.FromSeconds(20), "the job's command running");
            await Poll.UntilAsync(async () => await client.ReadJobOutputAsync(running).AnyAsync(), TimeSpan.FromSeconds(20), "the job's first line stored");
        }

        // Only the daemon is killed: its command dies by the local transport's own guard, not by this test.
        first.Signal(DaemonProcess.SigKill);
        await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await Poll.UntilAsync(() => sleeper.Sleeping == 0, TimeSpan.FromSeconds(20), "the killed daemon's command gone from the host");

        var second = await DaemonProcess.StartReadyAsync(Config, dir: first.Directory, port: first.Port);
        second.KeepDirectory = true;
        try
        {
            Assert.Equal(1, Count(second.Output, Interrupted));
            await using var client = await RemoteEngine.ConnectAsync(second.Address, second.AdminConfig);
            var job = await client.GetJobAsync(running);
            Assert.Equal((JobState.Interrupted, JobState.Interrupted, Interrupted), (job.State, job.Tasks[0].State, job.Tasks[0].Error));
            var logs = await JobCli.RunAsync(second, "logs", running);
            Assert.Equal(["local: started"], JobCli.Lines(logs.Stdout));
            Assert.Equal(1, Count(logs.Stderr, Interrupted));
            Assert.Equal(1, (await JobCli.RunAsync(second, "wait", running)).ExitCode);

            var intact = await client.GetJobAsync(finished);
            Assert.Equal(JobState.Succeeded, intact.State);
            Assert.Equal(Enumerable.Range(1, 500).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), await client.ReadJobOutputAsync(finished).Select(l => l.Text).ToListAsync());

            var fresh = await client.SubmitAsync(JobRequest.Exec("echo after the restart", ["local"]));
            Assert.Equal(JobState.Succeeded, (await client.WaitForJobAsync(fresh)).State);
        }
        finally
        {
            await second.DisposeAsync();
        }

        // Reported once: a further restart has nothing more to interrupt.
        await using var third = await DaemonProcess.StartReadyAsync(Config, dir: first.Directory, port: first.Port);
        Assert.Equal(0, Count(third.Output, Interrupted));
        await using var last = await RemoteEngine.ConnectAsync(third.Address, third.AdminConfig);
        Assert.Equal(JobState.Interrupted, (await last.GetJobAsync(running)).State);
    }

    [Fact]
    public async Task A_daemon_killed_with_SIGKILL_leaves_nothing_of_its_ssh_jobs_on_the_host()
    {
        var server = sshd.Server;
        var spec = server.Spec();
        var login = server.User.Password is { } password
            ? $"password = {Quote(password)}"
            : $"identity-files = [{Quote(server.ClientKey.PrivateKeyFile)}]";
        var config = Config + $"\nrcontrol.sessions.web1 {{ type = ssh, host = {Quote(server.Host)}, port = {server.Port}, user = {Quote(server.User.Name)}, {login}, "
            + $"known-hosts = {Quote(spec.KnownHostsFile!)}, ssh-config = {Quote(spec.SshConfigFile!)}, host-key-policy = strict, connect-timeout = 30s }}\n";
        var first = await DaemonProcess.StartReadyAsync(config);
        first.KeepDirectory = true;
        var sleeper = new SleepMarker();
        string running;
        await using (var client = await RemoteEngine.ConnectAsync(first.Address, first.AdminConfig))
        {
            running = await client.SubmitAsync(JobRequest.Exec($"echo up; {sleeper.Command}", ["web1"]));
            // A full Remote.Tests run at load 70 did not see the command within 30 s; the likely slow part is the connect
            // (sshd's key exchange, PAM login), so one attempt may take 30 s instead of the default 10 s. A job that
            // ended instead of running says why.
            JobInfo job = null!;
            await Poll.UntilAsync(
                async () => sleeper.Sleeping == 1 || (job = await client.GetJobAsync(running)).State is not (JobState.Queued or JobState.Running),
                TimeSpan.FromSeconds(90),
                "the job's command running over SSH");
            Assert.True(sleeper.Sleeping == 1, $"the job ended {job.State}: {job.Tasks[0].Error}{Environment.NewLine}{first.Output}");
        }

        first.Signal(DaemonProcess.SigKill);
        await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await Poll.UntilAsync(() => sleeper.Sleeping == 0, TimeSpan.FromSeconds(30), "the killed daemon's SSH command gone from the host");

        await using var second = await DaemonProcess.StartReadyAsync(config, dir: first.Directory, port: first.Port);
        Assert.Equal(1, Count(second.Output, Interrupted));
        await using var again = await RemoteEngine.ConnectAsync(second.Address, second.AdminConfig);
        Assert.Equal(JobState.Interrupted, (await again.GetJobAsync(running)).Tasks[0].State);
    }

    [Fact]
    public async Task A_daemon_stopped_with_SIGTERM_records_every_tasks_end()
    {
        var first = await DaemonProcess.StartReadyAsync(Config);
        first.KeepDirectory = true;
        var sleeper = new SleepMarker();
        string running;
        await using (var client = await RemoteEngine.ConnectAsync(first.Address, first.AdminConfig))
        {
            running = await client.SubmitAsync(JobRequest.Exec(sleeper.Command, ["local"]));
            await Poll.UntilAsync(() => sleeper.Sleeping == 1, TimeSpan.FromSeconds(20), "the job's command running");
        }

        first.Signal(DaemonProcess.SigTerm);
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, sleeper.Sleeping);
        Assert.Contains("every job's end is recorded", first.Output);

        await using var second = await DaemonProcess.StartReadyAsync(Config, dir: first.Directory, port: first.Port);
        Assert.Equal(0, Count(second.Output, Interrupted));
        await using var again = await RemoteEngine.ConnectAsync(second.Address, second.AdminConfig);
        var job = await again.GetJobAsync(running);
        Assert.Equal((JobState.Killed, JobState.Killed, "killed: the daemon stopped"), (job.State, job.Tasks[0].State, job.Tasks[0].Error));
        Assert.NotNull(job.Tasks[0].EndedAt);
    }

    [Fact]
    public async Task Retention_keeps_only_the_newest_ended_jobs()
    {
        await using var daemon = await DaemonProcess.StartReadyAsync(Config + "\nrcontrol.daemon.jobs.retention { max-count = 2, interval = 1s }");
        await using var client = await RemoteEngine.ConnectAsync(daemon.Address, daemon.AdminConfig);
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var id = await client.SubmitAsync(JobRequest.Exec($"echo {i}", ["local"]));
            await client.WaitForJobAsync(id);
            ids.Add(id);
        }

        await Poll.UntilAsync(async () => (await client.ListJobsAsync()).Count == 2, TimeSpan.FromSeconds(20), "retention down to 2 jobs");
        Assert.Equal([ids[3], ids[2]], (await client.ListJobsAsync()).Select(j => j.Id));
        await Assert.ThrowsAsync<JobNotFoundException>(() => client.GetJobAsync(ids[0]));
    }

    [Fact]
    public async Task An_unknown_store_key_or_provider_fails_the_start_with_one_line()
    {
        await using var badKey = DaemonProcess.Start(Config + "\nrcontrol.daemon.store.conection-string = x");
        Assert.Equal(2, await badKey.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("rcontrol.daemon.store: unknown key 'conection-string' (did you mean 'connection-string'?)", badKey.Output);
        await using var badProvider = DaemonProcess.Start(Config + "\nrcontrol.daemon.store.provider = mysql");
        Assert.Equal(2, await badProvider.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("unknown provider 'mysql' (expected sqlite or postgresql)", badProvider.Output);
    }

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static int Count(string text, string what) =>
        text.Split('\n').Count(l => l.Contains(what, StringComparison.Ordinal));
}
