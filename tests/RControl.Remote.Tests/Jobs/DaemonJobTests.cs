using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using RControl.Jobs;
using RControl.Remote.Tests.Support;
using RControl.TestSupport;

namespace RControl.Remote.Tests.Jobs;

/// <summary>
/// Jobs on a real daemon process, through the built CLI and through <see cref="RemoteEngine"/>: detached work outlives
/// its client, is listed, followed, waited for and killed from other clients; output is capped; a job is its owner's.
/// </summary>
public sealed partial class DaemonJobTests(DaemonJobTests.Daemon fixture) : IClassFixture<DaemonJobTests.Daemon>
{
    private DaemonProcess D => fixture.Process;

    [Fact]
    public async Task Detach_prints_the_id_alone_and_the_job_outlives_a_client_killed_with_SIGKILL()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"rcontrol-job-done-{Guid.NewGuid():N}");
        var submitted = await JobCli.RunAsync(D, "exec", "-t", "local", "--detach", "--", $"for i in 1 2 3 4 5; do echo step $i; sleep 0.4; done; touch {marker}");
        Assert.True(submitted.ExitCode == 0, JobCli.Describe(submitted) + D.Output);
        var id = Assert.Single(JobCli.Lines(submitted.Stdout));
        Assert.Matches(JobId(), id);

        // A client following the job is killed with SIGKILL mid-job: the job is the daemon's, it runs on.
        using var follower = JobCli.Start(D, "attach", id, "--plain");
        await using var admin = await fixture.AdminAsync();
        await Poll.UntilAsync(async () => await admin.ReadJobOutputAsync(id).AnyAsync(), TimeSpan.FromSeconds(20), "the job's first line");
        follower.Kill(entireProcessTree: true);
        await follower.WaitForExitAsync();

        var waited = await JobCli.RunAsync(D, "wait", id);
        Assert.True(waited.ExitCode == 0, JobCli.Describe(waited));
        Assert.True(File.Exists(marker));
        var logs = await JobCli.RunAsync(D, "logs", id);
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"local: step {i}"), JobCli.Lines(logs.Stdout));
        var listed = await JobCli.RunAsync(D, "jobs", "--json");
        var job = JobCli.Lines(listed.Stdout).Select(l => JsonDocument.Parse(l).RootElement).Single(j => j.GetProperty("id").GetString() == id);
        Assert.Equal(("succeeded", "admin", 1), (job.GetProperty("state").GetString(), job.GetProperty("owner").GetString(), job.GetProperty("succeeded").GetInt32()));
        Assert.False(job.TryGetProperty("tasks", out _), "a listed job has no tasks");
        Assert.Contains($"touch {marker}", JobCli.Lines(listed.Stdout).Single(l => l.Contains(id, StringComparison.Ordinal)), StringComparison.Ordinal);
        File.Delete(marker);
    }

    [Fact]
    public async Task Follow_gets_every_line_in_order_while_the_job_runs()
    {
        await using var admin = await fixture.AdminAsync();
        var id = await admin.SubmitAsync(JobRequest.Exec("for i in $(seq 1 3000); do echo $i; if [ $((i % 600)) = 0 ]; then sleep 0.3; fi; done", ["local"]));
        using var cli = JobCli.Start(D, "logs", id, "--follow");
        var cliOut = cli.StandardOutput.ReadToEndAsync();

        var lines = new List<string>();
        DateTimeOffset? firstSeen = null;
        await foreach (var line in admin.ReadJobOutputAsync(id, follow: true))
        {
            firstSeen ??= DateTimeOffset.UtcNow;
            lines.Add(line.Text);
        }

        var job = await admin.GetJobAsync(id);
        Assert.Equal(Enumerable.Range(1, 3000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), lines);
        Assert.True(firstSeen < job.EndedAt, $"the first line arrived at {firstSeen:O}, after the job ended at {job.EndedAt:O}: not live");
        await cli.WaitForExitAsync();
        Assert.Equal(Enumerable.Range(1, 3000).Select(i => $"local: {i}"), JobCli.Lines(await cliOut));
    }

    [Fact]
    public async Task Wait_exits_with_the_jobs_status_and_kill_ends_a_running_job_on_its_host()
    {
        await using var admin = await fixture.AdminAsync();
        var failing = await admin.SubmitAsync(JobRequest.Exec("exit 3", ["local"]));
        var timedOut = await admin.SubmitAsync(JobRequest.Exec("sleep 5", ["local"], t => t with { Timeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Equal(1, (await JobCli.RunAsync(D, "wait", failing)).ExitCode);
        Assert.Equal(3, (await JobCli.RunAsync(D, "wait", timedOut)).ExitCode);
        var timedOutPlan = await admin.SubmitAsync(new JobRequest("p.hocon", [
            new JobTask("local", "sleep 5") { Name = "slow", Timeout = TimeSpan.FromMilliseconds(300) },
            new JobTask("local", "echo never") { Name = "next", After = ["slow"] },
        ]) { Kind = "plan" });
        Assert.Equal(3, (await JobCli.RunAsync(D, "wait", timedOutPlan)).ExitCode); // as exec: the skipped dependent adds nothing
        Assert.Equal([JobState.TimedOut, JobState.Skipped], (await admin.GetJobAsync(timedOutPlan)).Tasks.Select(t => t.State));
        Assert.Equal("exit code 3 (expected 0)", (await admin.GetJobAsync(failing)).Tasks.Single().Error);
        var json = await JobCli.RunAsync(D, "wait", failing, "--json");
        Assert.Equal(1, json.ExitCode);
        var waited0 = JsonDocument.Parse(Assert.Single(JobCli.Lines(json.Stdout))).RootElement;
        var task0 = Assert.Single(waited0.GetProperty("tasks").EnumerateArray().ToArray());
        Assert.Equal(("failed", "local", 3, "exit code 3 (expected 0)"), (waited0.GetProperty("state").GetString(), task0.GetProperty("session").GetString(), task0.GetProperty("exitCode").GetInt32(), task0.GetProperty("error").GetString()));

        var sleeper = new SleepMarker();
        var running = await admin.SubmitAsync(JobRequest.Exec(sleeper.Command, ["local"]));
        await Poll.UntilAsync(() => sleeper.Sleeping == 1, TimeSpan.FromSeconds(20), "the job's command running");
        var killed = await JobCli.RunAsync(D, "kill", running);
        Assert.True(killed.ExitCode == 0, JobCli.Describe(killed));
        var waited = await JobCli.RunAsync(D, "wait", running);
        Assert.Equal(1, waited.ExitCode);
        Assert.Equal(0, sleeper.Sleeping);
        var job = await admin.GetJobAsync(running);
        Assert.Equal((JobState.Killed, JobState.Killed, "killed by admin"), (job.State, job.Tasks[0].State, job.Tasks[0].Error));
        Assert.False(await admin.KillJobAsync(running));
        Assert.Equal(2, (await JobCli.RunAsync(D, "wait", "000000000000")).ExitCode);
    }

    [Fact]
    public async Task A_detached_plan_runs_its_graph_on_the_daemon()
    {
        var dir = Directory.CreateTempSubdirectory("rcontrol-plan-").FullName;
        var plan = Path.Combine(dir, "plan.hocon");
        File.WriteAllText(plan, """
            tasks = [
              { name = first, session = local, run = "echo one" }
              { name = second, session = other, after = [first], run = "pwd" }
              { name = broken, session = other, after = [second], run = "exit 4" }
              { name = never, session = local, after = [broken], run = "echo never" }
            ]
            """);
        var submitted = await JobCli.RunAsync(D, "run", plan, "--detach");
        Assert.True(submitted.ExitCode == 0, JobCli.Describe(submitted));
        var id = Assert.Single(JobCli.Lines(submitted.Stdout));
        Assert.Equal(1, (await JobCli.RunAsync(D, "wait", id)).ExitCode);

        await using var admin = await fixture.AdminAsync();
        var job = await admin.GetJobAsync(id);
        Assert.Equal(("plan", "plan.hocon"), (job.Kind, job.Description));
        Assert.Equal(
            ["first@local succeeded", "second@other succeeded", "broken@other failed", "never@local skipped"],
            job.Tasks.Select(t => $"{t.Label} {t.State.Name()}"));
        var logs = await JobCli.RunAsync(D, "logs", id, "--task", "second");
        Assert.Equal(["second@other: /tmp"], JobCli.Lines(logs.Stdout));
        var attached = await JobCli.RunAsync(D, "attach", id, "--plain");
        Assert.Equal(1, attached.ExitCode);
        Assert.Contains("second@other: /tmp", JobCli.Lines(attached.Stdout));
        Assert.Contains(JobCli.Lines(attached.Stdout), l => l.StartsWith("summary: 4 task(s)", StringComparison.Ordinal));
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Output_beyond_the_cap_is_dropped_and_the_truncation_recorded_and_shown()
    {
        await using var admin = await fixture.AdminAsync();
        var id = await admin.SubmitAsync(JobRequest.Exec("seq 1 30000", ["local"]));
        var job = await admin.WaitForJobAsync(id);
        Assert.Equal(JobState.Succeeded, job.State);
        Assert.True(job.Truncated);
        Assert.InRange(job.OutputBytes, 60_000, 64 * 1024);

        var logs = await JobCli.RunAsync(D, "logs", id);
        var lines = JobCli.Lines(logs.Stdout);
        Assert.Equal(Enumerable.Range(1, lines.Length).Select(i => $"local: {i}"), lines);
        Assert.InRange(lines.Length, 5_000, 29_999);
        Assert.Contains("output truncated at", logs.Stderr);
    }

    [Fact]
    public async Task The_store_writer_runs_on_its_own_thread_and_leaves_every_daemon_thread_at_the_daemons_niceness()
    {
        // A job makes sure the writer has written (its thread lives as long as the daemon), allocating as it does:
        // a thread created on the writer's thread (the GC's background thread, a pool worker) inherits its niceness.
        await using var admin = await fixture.AdminAsync();
        Assert.Equal(JobState.Succeeded, (await admin.WaitForJobAsync(await admin.SubmitAsync(JobRequest.Exec("seq 1 200000", ["local"])))).State);

        var threads = Directory.GetDirectories($"/proc/{D.Pid}/task").Select(Thread).OfType<(string Name, int Nice)>().ToArray();
        Assert.Single(threads, t => t.Name == "rcontrol job st"); // the name, cut to 15 characters by Linux
        var daemon = Nice($"/proc/{D.Pid}/stat");
        Assert.All(threads, t => Assert.Equal(daemon, t.Nice));

        static (string Name, int Nice)? Thread(string task)
        {
            try
            {
                return (File.ReadAllText(Path.Combine(task, "comm")).Trim(), Nice(Path.Combine(task, "stat")));
            }
            catch (IOException)
            {
                return null; // a thread that ended meanwhile
            }
        }

        static int Nice(string stat)
        {
            var text = File.ReadAllText(stat);
            // After "pid (comm) ": field 3 is the state; nice is field 19.
            return int.Parse(text[(text.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    [Fact]
    public async Task Another_identity_sees_only_its_own_jobs_and_every_denial_is_audited()
    {
        await using var admin = await fixture.AdminAsync();
        await using var ci = await RemoteEngine.ConnectAsync(D.Address, TestCredentials.ForFile(fixture.CiCredential));
        var adminJob = await admin.SubmitAsync(JobRequest.Exec("echo by-admin", ["local"]));
        var ciJob = await ci.SubmitAsync(JobRequest.Exec("echo by-ci", ["local"]));
        Assert.Equal(JobState.Succeeded, (await ci.WaitForJobAsync(ciJob)).State);

        Assert.DoesNotContain(await ci.ListJobsAsync(), j => j.Id == adminJob);
        Assert.Contains(await ci.ListJobsAsync(new JobQuery { Mine = true }), j => j.Id == ciJob);
        Assert.Contains(await admin.ListJobsAsync(), j => j.Id == ciJob);
        await Assert.ThrowsAsync<AccessDeniedException>(() => ci.GetJobAsync(adminJob));
        await Assert.ThrowsAsync<AccessDeniedException>(() => ci.KillJobAsync(adminJob));
        var notGranted = await Assert.ThrowsAsync<AccessDeniedException>(() => ci.SubmitAsync(JobRequest.Exec("echo no", ["other"])));
        Assert.Contains("may not exec on session 'other'", notGranted.Message);
        await Assert.ThrowsAsync<AccessDeniedException>(async () => await ci.ReadAuditAsync().ToListAsync());

        var audit = await JobCli.RunAsync(D, "audit", "--json");
        var entries = JobCli.Lines(audit.Stdout).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        string[] Of(string identity, string action) =>
            entries.Where(e => e.GetProperty("identity").GetString() == identity && e.GetProperty("action").GetString() == action).Select(e => e.GetProperty("detail").GetString()!).ToArray();
        Assert.Contains(Of("ci", "denied"), d => d.Contains($"may not see job {adminJob}", StringComparison.Ordinal));
        Assert.Contains(Of("ci", "denied"), d => d.Contains($"may not kill job {adminJob}", StringComparison.Ordinal));
        Assert.Contains(Of("ci", "denied"), d => d.Contains("may not exec on session 'other'", StringComparison.Ordinal));
        Assert.Contains(Of("ci", "denied"), d => d.Contains("audit trail", StringComparison.Ordinal));
        Assert.Contains(Of("ci", "job"), d => d.StartsWith($"job {ciJob} submitted", StringComparison.Ordinal));
        Assert.Contains(Of("ci", "login"), d => d.StartsWith("logged in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Job_commands_refuse_bad_input_with_one_line()
    {
        var noDaemon = await ClientProcess.RunAsync("rcontrol.dll", ["exec", "-t", "local", "--detach", "--", "true"]);
        Assert.Equal(2, noDaemon.ExitCode);
        Assert.Contains("--detach needs --daemon", noDaemon.Stderr);
        var unknown = await JobCli.RunAsync(D, "logs", "ffffffffffff");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Single(JobCli.Lines(unknown.Stderr));
        var since = await JobCli.RunAsync(D, "jobs", "--since", "yesterday");
        Assert.Equal(2, since.ExitCode);
        Assert.Contains("--since: 'yesterday' is neither a duration back from now (1h, 30m, 2d) nor a date and time (2026-11-30T10:00Z)", since.Stderr);
        var outdir = await JobCli.RunAsync(D, "exec", "-t", "local", "-o", "/tmp", "--detach", "--", "true");
        Assert.Equal(2, outdir.ExitCode);
        Assert.Contains("--detach cannot be used with --outdir/-o DIR or --errdir/-e", outdir.Stderr);
    }

    [Fact]
    public async Task A_detached_exec_gives_its_stdin_to_every_task_and_refuses_more_than_the_limit_before_anything_runs()
    {
        var dir = Directory.CreateTempSubdirectory("rcontrol-job-stdin-").FullName;
        var input = Path.Combine(dir, "in.txt");
        File.WriteAllText(input, "first\nsecond é\n");
        var submitted = await JobCli.RunAsync(D, "exec", "-t", "local", "-t", "other", "--detach", "--stdin", input, "--", "sed 's/^/got /'");
        Assert.True(submitted.ExitCode == 0, JobCli.Describe(submitted));
        var id = Assert.Single(JobCli.Lines(submitted.Stdout));
        var waited = await JobCli.RunAsync(D, "wait", id);
        Assert.True(waited.ExitCode == 0, JobCli.Describe(waited));
        var logs = JobCli.Lines((await JobCli.RunAsync(D, "logs", id)).Stdout);
        Assert.Equal(["local: got first", "local: got second é", "other: got first", "other: got second é"], logs.Order(StringComparer.Ordinal));

        // More than a job takes: one line, status 2, nothing submitted.
        await using var admin = await fixture.AdminAsync();
        var jobs = (await admin.ListJobsAsync(new JobQuery { Limit = 1000 })).Count;
        var big = Path.Combine(dir, "big.bin");
        File.WriteAllBytes(big, new byte[JobRequest.MaxStdinBytes + 1]);
        var refused = await JobCli.RunAsync(D, "exec", "-t", "local", "--detach", "--stdin", big, "--", "cat");
        Assert.Equal(2, refused.ExitCode);
        Assert.EndsWith($"--stdin {big}: more than 1 MiB (the most a detached job takes; run it without --detach, or copy the file with rcontrol copy)", Assert.Single(JobCli.Lines(refused.Stderr)));
        Assert.Equal("", refused.Stdout);
        Assert.Equal(jobs, (await admin.ListJobsAsync(new JobQuery { Limit = 1000 })).Count);

        // The stdin goes to the session as a file: a run that is not detached needs file-write there, and so does the job.
        await using var ci = await RemoteEngine.ConnectAsync(D.Address, TestCredentials.ForFile(fixture.CiCredential));
        var denied = await Assert.ThrowsAsync<AccessDeniedException>(() => ci.SubmitAsync(JobRequest.Exec("cat", ["local"]) with { Stdin = [1, 2, 3] }));
        Assert.Contains("local", denied.Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task A_detached_exec_opens_an_ssh_target_the_daemon_does_not_know_for_its_run_only()
    {
        var sshd = fixture.Sshd;
        var target = $"{sshd.User.Name}@{sshd.Host}:{sshd.Port}";
        var submitted = await JobCli.RunAsync(
            D, "exec", "-t", target, "-t", "local", "--identity", sshd.ClientKey.PrivateKeyFile, "--known-hosts", sshd.KnownHostsFile, "--ssh-config", sshd.SshConfigFile,
            "--detach", "--", "echo from $(whoami)");
        Assert.True(submitted.ExitCode == 0, JobCli.Describe(submitted));
        var id = Assert.Single(JobCli.Lines(submitted.Stdout));
        var waited = await JobCli.RunAsync(D, "wait", id);
        Assert.True(waited.ExitCode == 0, JobCli.Describe(waited) + JobCli.Describe(await JobCli.RunAsync(D, "logs", id)));
        var logs = await JobCli.RunAsync(D, "logs", id);
        Assert.Equal(
            new[] { $"{target}: from {sshd.User.Name}", $"local: from {Environment.UserName}" }.Order(StringComparer.Ordinal),
            JobCli.Lines(logs.Stdout).Order(StringComparer.Ordinal));

        // The session was the job's own: closed with it, never one of the daemon's.
        await using var admin = await fixture.AdminAsync();
        Assert.DoesNotContain(target, await admin.ListSessionsAsync());
        Assert.Equal([target, "local"], (await admin.GetJobAsync(id)).Targets);
        var sessions = await admin.ReadAuditAsync().Where(e => e.Action == "session" && e.Detail.Contains($"(for job {id})", StringComparison.Ordinal)).Select(e => e.Detail).ToListAsync();
        Assert.Equal([$"opened session {target} (for job {id})", $"closed session {target} (for job {id})"], sessions);

        // It takes the grants a run that is not detached takes: ci may exec on local, but not open a session.
        await using var ci = await RemoteEngine.ConnectAsync(D.Address, TestCredentials.ForFile(fixture.CiCredential));
        var denied = await Assert.ThrowsAsync<AccessDeniedException>(() => ci.SubmitAsync(
            JobRequest.Exec("true", [target]) with { Sessions = new Dictionary<string, Protocol.SessionSpec> { [target] = sshd.Spec() } }));
        Assert.Contains($"may not open on session '{target}'", denied.Message);
    }

    [Fact]
    public async Task A_detached_plan_copies_a_tree_to_its_own_ssh_session_then_runs_on_it()
    {
        var sshd = fixture.Sshd;
        var dir = Directory.CreateTempSubdirectory("rcontrol-plan-copy-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "tree", "sub"));
        File.WriteAllText(Path.Combine(dir, "tree", "a.txt"), "alpha\n");
        File.WriteAllText(Path.Combine(dir, "tree", "sub", "b.txt"), "beta\n");
        var remote = $"/tmp/rcontrol-job-copy-{Guid.NewGuid():N}";
        var plan = Path.Combine(dir, "deploy.hocon");
        File.WriteAllText(plan, $$"""
            sessions {
              box { type = ssh, host = "{{sshd.Host}}", port = {{sshd.Port}}, user = "{{sshd.User.Name}}", identity-files = ["{{sshd.ClientKey.PrivateKeyFile}}"], known-hosts = "{{sshd.KnownHostsFile}}", ssh-config = "{{sshd.SshConfigFile}}" }
            }
            tasks = [
              { name = push, copy { from = "local:{{dir}}/tree", to = "box:{{remote}}" } }
              { name = check, session = box, after = [push], run = "cat {{remote}}/a.txt {{remote}}/sub/b.txt; rm -r {{remote}}" }
              { name = pull, after = [check], copy { from = "box:{{remote}}/gone.txt", to = "local:{{dir}}/gone.txt" } }
            ]
            """);
        var submitted = await JobCli.RunAsync(D, "run", plan, "--detach");
        Assert.True(submitted.ExitCode == 0, JobCli.Describe(submitted));
        var id = Assert.Single(JobCli.Lines(submitted.Stdout));
        Assert.Equal(1, (await JobCli.RunAsync(D, "wait", id)).ExitCode);

        await using var admin = await fixture.AdminAsync();
        var job = await admin.GetJobAsync(id);
        Assert.Equal(["push@local succeeded", "check@box succeeded", "pull@box failed"], job.Tasks.Select(t => $"{t.Label} {t.State.Name()}"));
        Assert.Equal($"copy local:{dir}/tree box:{remote}", job.Tasks[0].Command);
        Assert.Contains($"{remote}/gone.txt", job.Tasks[2].Error);
        var logs = JobCli.Lines((await JobCli.RunAsync(D, "logs", id)).Stdout);
        Assert.Equal(3, logs.Length);
        Assert.Matches($"^push@local: copied .+ to box:{Regex.Escape(remote)}$", logs[0]);
        Assert.Equal(["check@box: alpha", "check@box: beta"], logs[1..]);
        Assert.DoesNotContain("box", await admin.ListSessionsAsync());

        var audit = await admin.ReadAuditAsync().ToListAsync();
        Assert.Contains(audit, e => e.Action == "file" && e.Detail.Contains($"job {id}: copy to", StringComparison.Ordinal) && e.Detail.Contains(remote, StringComparison.Ordinal));
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task A_copy_task_past_its_timeout_is_timed_out_and_wait_exits_3()
    {
        var sshd = fixture.Sshd;
        await using var admin = await fixture.AdminAsync();
        var copy = JobTask.ForCopy("box", new JobCopy("local", "/etc/hostname", "box", $"/tmp/rcontrol-never-{Guid.NewGuid():N}")) with { Timeout = TimeSpan.FromMilliseconds(1) };
        var id = await admin.SubmitAsync(new JobRequest("copy", [copy]) { Kind = "plan", Sessions = new Dictionary<string, Protocol.SessionSpec> { ["box"] = sshd.Spec() } });
        Assert.Equal(3, (await JobCli.RunAsync(D, "wait", id)).ExitCode);
        var task = Assert.Single((await admin.GetJobAsync(id)).Tasks);
        Assert.Equal((JobState.TimedOut, "timed out", "copy local:/etc/hostname box:" + copy.Copy!.ToPath), (task.State, task.Error, task.Command));
    }

    [Fact]
    public async Task Killing_a_job_while_its_copy_runs_stops_the_copy_removes_its_temporary_file_and_records_it_killed()
    {
        var sshd = fixture.Sshd;
        await using var admin = await fixture.AdminAsync();
        var dir = Directory.CreateTempSubdirectory("rcontrol-kill-copy-").FullName;
        var source = Path.Combine(dir, "big.bin");
        using (var file = File.Create(source))
        {
            file.SetLength(4L << 30); // sparse: 4 GiB that take no disk, far more than moves before the kill
        }

        var name = $"rcontrol-kill-copy-{Guid.NewGuid():N}.bin";
        string[] Temporary() => Directory.GetFiles("/tmp", $".{name}.rcontrol-*");
        var copy = JobTask.ForCopy("local", new JobCopy("local", source, "box", $"/tmp/{name}")) with { Name = "push" };
        var id = await admin.SubmitAsync(new JobRequest("copy", [copy, new JobTask("local", "echo never") { Name = "after", After = ["push"] }])
        {
            Kind = "plan",
            Sessions = new Dictionary<string, Protocol.SessionSpec> { ["box"] = sshd.Spec() },
        });
        await Poll.UntilAsync(() => Temporary().Any(f => new FileInfo(f).Length > 0), TimeSpan.FromSeconds(60), "the copy writing its temporary file");

        Assert.True(await admin.KillJobAsync(id));
        var job = await admin.WaitForJobAsync(id);
        Assert.Equal((JobState.Killed, 1), (job.State, job.ExitStatus));
        Assert.Equal(JobState.Killed, job.Tasks[0].State);
        Assert.StartsWith("killed by ", job.Tasks[0].Error);
        Assert.Equal(JobState.Skipped, job.Tasks[1].State);

        // Stopped and cleaned as a cancelled copy is: nothing under the temporary name or the destination's.
        Assert.Empty(Temporary());
        Assert.False(File.Exists($"/tmp/{name}"));
        Assert.Empty(await admin.ReadJobOutputAsync(id).ToListAsync());
        Directory.Delete(dir, true);
    }

    [GeneratedRegex("^[0-9a-f]{12}$")]
    private static partial Regex JobId();

    /// <summary>One daemon for the class: sessions local and other (group all), a 64 KiB output cap, and a credential "ci" allowed exec on local.</summary>
    public sealed class Daemon : IAsyncLifetime
    {
        private const string Config = """
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {port} }
            rcontrol {
              sessions {
                local { type = local }
                other { type = local, working-directory = "/tmp" }
              }
              groups { all = [local, other] }
              daemon.jobs.output-cap = 64KiB
            }
            """;

        public DaemonProcess Process { get; private set; } = null!;

        public string CiCredential { get; private set; } = "";

        /// <summary>An SSH host the daemon does not know (ad-hoc targets, a plan's own session).</summary>
        public SshServer Sshd { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Sshd = await SshServer.StartAsync();
            var dir = Directory.CreateTempSubdirectory("rcontrol-daemon-").FullName;
            var port = Ports.Free();
            File.WriteAllText(Path.Combine(dir, "daemon.conf"), Config.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) + $"\nrcontrol.daemon.state-dir = \"{dir}/state\"\n");
            CiCredential = Path.Combine(dir, "ci.pfx");
            var issued = await ClientProcess.RunAsync("rcontrol.dll", ["daemon", "credentials", "issue", "ci", "--sessions", "local", "--ops", "exec", "--config", Path.Combine(dir, "daemon.conf"), "--out", CiCredential]);
            Assert.True(issued.ExitCode == 0, issued.Stderr + issued.Stdout);
            Process = await DaemonProcess.StartReadyAsync(Config, dir: dir, port: port);
        }

        public Task<RemoteEngine> AdminAsync() => RemoteEngine.ConnectAsync(Process.Address, Process.AdminConfig);

        public async Task DisposeAsync()
        {
            await Process.DisposeAsync();
            await Sshd.DisposeAsync();
        }
    }
}
