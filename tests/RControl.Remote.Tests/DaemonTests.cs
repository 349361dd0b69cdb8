using System.Diagnostics;
using RControl.Remote.Tests.Support;

namespace RControl.Remote.Tests;

/// <summary>End to end against the real daemon process (<c>dotnet rcontrol.dll daemon --config …</c>).</summary>
public sealed class DaemonTests
{
    private const string Config = """
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {port} }
        rcontrol {
          sessions {
            local { type = local }
            other { type = local, working-directory = "/tmp" }
          }
          groups { all = [local, other] }
          daemon.shutdown-grace-period = 3s
        }
        """;

    [Fact]
    public async Task Daemon_serves_named_sessions_logs_tasks_and_survives_failures()
    {
        await using var daemon = await DaemonProcess.StartReadyAsync(Config);
        Assert.Contains("sessions: local, other; groups: all = [local, other]", daemon.Output);
        await using var client = await RemoteEngine.ConnectAsync(daemon.Address, daemon.AdminConfig);
        Assert.Equal(["local", "other"], await client.ListSessionsAsync());

        var session = await client.GetSessionAsync("local");
        var lines = new List<string>();
        Assert.Equal(0, await session.Execute("echo hello from the daemon", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync());
        Assert.Equal(["hello from the daemon"], lines);

        // Copies through the daemon: the file is written by the daemon's session.
        var dir = Directory.CreateTempSubdirectory("rcontrol-daemon-copy-").FullName;
        try
        {
            var source = Path.Combine(dir, "in.txt");
            await File.WriteAllTextAsync(source, "via the daemon");
            await using var local = client.System.CreateLocalSession($"client-{Guid.NewGuid():N}");
            await local.CopyFileAsync(source, await client.GetSessionAsync("other"), Path.Combine(dir, "out.txt"));
            Assert.Equal("via the daemon", await File.ReadAllTextAsync(Path.Combine(dir, "out.txt")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }

        // A failing command and a failing session do not stop the daemon.
        await Assert.ThrowsAsync<ExitCodeException>(() => session.Execute("exit 42").WaitAsync());
        var bad = await client.OpenSessionAsync("bad", new Protocol.SshSessionSpec("127.0.0.1") { Port = Ports.Free(), ConnectTimeout = TimeSpan.FromSeconds(2) });
        await Assert.ThrowsAnyAsync<TaskException>(() => bad.Execute("true").WaitAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, await session.Execute("true").WaitAsync());
        Assert.False(daemon.HasExited);

        await daemon.WaitForOutputAsync("exit code 42", TimeSpan.FromSeconds(10));
        await daemon.WaitForOutputAsync("started on session local: echo hello from the daemon", TimeSpan.FromSeconds(10));
        Assert.Matches(@"ended on session local: exit code 0 after \d+\.\d{3}s: echo hello from the daemon", daemon.Output);
    }

    [Fact]
    public async Task Killing_the_daemon_mid_task_fails_the_clients_waits_promptly()
    {
        await using var daemon = await DaemonProcess.StartReadyAsync(Config);
        await using var client = await RemoteEngine.ConnectAsync(daemon.Address, daemon.AdminConfig);
        var session = await client.GetSessionAsync("local");
        var started = new TaskCompletionSource();
        var task = session.Execute("echo started; sleep 20", new CommandOptions { OnStdout = (_, _) => started.TrySetResult() });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var orphans = TestSupport.ProcessTree.Descendants(daemon.Pid);
        Assert.NotEmpty(orphans);
        daemon.Signal(DaemonProcess.SigKill);
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<TaskException>(() => task.WaitAsync().WaitAsync(TimeSpan.FromSeconds(40)));
        var waitAll = await session.WaitForTasksAsync(raiseIfError: false).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"the wait took {watch.Elapsed} (documented: about 7–10 s)");
        Assert.Contains("session 'local' is closed or unreachable", error.Message);
        Assert.Empty(waitAll); // already reported by the explicit wait
        foreach (var pid in orphans)
        {
            TestSupport.ProcessTree.Kill(pid); // the daemon's command, orphaned by the SIGKILL
        }
    }

    [Fact]
    public async Task Sigterm_lets_short_tasks_finish_kills_the_rest_and_reports_each()
    {
        await using var daemon = await DaemonProcess.StartReadyAsync(Config);
        await using var client = await RemoteEngine.ConnectAsync(daemon.Address, daemon.AdminConfig);
        var session = await client.GetSessionAsync("local");
        var ready = new TaskCompletionSource();
        var shortTask = session.Execute("echo ready; sleep 1; echo done", new CommandOptions { OnStdout = (_, _) => ready.TrySetResult() });
        var marker = new TestSupport.SleepMarker(60);
        var longTask = session.Execute(marker.Command);
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await daemon.WaitForOutputAsync($"started on session local: {marker.Command}", TimeSpan.FromSeconds(10));

        daemon.Signal(DaemonProcess.SigTerm);
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, marker.Sleeping); // the daemon exits only once its kills are done on the host

        Assert.Equal(0, await shortTask.WaitAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        await Assert.ThrowsAsync<TaskCancelledException>(() => longTask.WaitAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        var output = daemon.Output;
        Assert.Contains("shutting down: waiting up to 3s for 2 running task(s)", output);
        Assert.Matches(@"ended on session local: exit code 0 after \d+\.\d{3}s: echo ready; sleep 1; echo done", output);
        Assert.Contains("killing task", output);
        Assert.Matches(@"was killed on session local after \d+\.\d{3}s: " + System.Text.RegularExpressions.Regex.Escape(marker.Command), output);
        Assert.Contains("shutting down: 1 task(s) killed", output);
    }

    [Fact]
    public async Task Callbacks_run_in_the_client_process_while_the_command_runs_under_the_daemon()
    {
        await using var daemon = await DaemonProcess.StartReadyAsync(Config);
        await using var client = await RemoteEngine.ConnectAsync(daemon.Address, daemon.AdminConfig);
        var session = await client.GetSessionAsync("local");
        var lines = new List<string>();
        var callbackPids = new List<int>();
        var task = session.Execute("echo $PPID", new CommandOptions { OnStdout = (_, l) => { lines.Add(l); callbackPids.Add(Environment.ProcessId); } });

        Assert.Equal(0, await task.WaitAsync());
        Assert.NotEqual(daemon.Pid, Environment.ProcessId);
        Assert.Equal([daemon.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], lines); // the shell's parent: the daemon
        Assert.Equal([Environment.ProcessId], callbackPids);                                           // the callback: this client
    }

    [Fact]
    public async Task After_a_daemon_restart_a_connected_client_fails_running_tasks_once_and_then_works_again()
    {
        var first = await DaemonProcess.StartReadyAsync(Config);
        first.KeepDirectory = true;
        var dir = first.Directory;
        var port = first.Port;
        await using var client = await RemoteEngine.ConnectAsync(first.Address, first.AdminConfig);
        var session = await client.GetSessionAsync("local");
        var started = new TaskCompletionSource();
        var running = session.Execute("echo up; sleep 30", new CommandOptions { OnStdout = (_, _) => started.TrySetResult() });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var orphans = TestSupport.ProcessTree.Descendants(first.Pid);
        await first.KillKeepingStateAsync();
        await first.DisposeAsync();
        foreach (var pid in orphans)
        {
            TestSupport.ProcessTree.Kill(pid); // the old incarnation's command, orphaned by the SIGKILL
        }

        await using var second = await DaemonProcess.StartReadyAsync(Config, dir: dir, port: port);
        try
        {
            var error = await Assert.ThrowsAsync<TaskException>(() => running.WaitAsync().WaitAsync(TimeSpan.FromSeconds(40)));
            Assert.Contains("session 'local' is closed or unreachable: the engine at ", error.Message);
            Assert.Contains($"rcontrol@127.0.0.1:{port} restarted, stopped or was cut off", error.Message);

            // The same RemoteEngine finds the new incarnation by itself (same address, same CA) and logs in again.
            RemoteSession again;
            try
            {
                again = await client.GetSessionAsync("local");
            }
            catch (EngineUnreachableException e)
            {
                throw new Xunit.Sdk.XunitException(e.Message + "\n" + second.Output);
            }

            var lines = new List<string>();
            Assert.Equal(0, await again.Execute("echo after the restart", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync());
            Assert.Equal(["after the restart"], lines);
            await second.WaitForOutputAsync("audit: login admin", TimeSpan.FromSeconds(10));
        }
        finally
        {
            second.KeepDirectory = false;
        }
    }

    [Fact]
    public async Task The_insecure_setting_on_loopback_serves_without_credentials_and_warns_at_start()
    {
        await using var daemon = await DaemonProcess.StartReadyAsync(Config + "\nrcontrol.remote.insecure-no-authentication = on");
        Assert.Contains("INSECURE: rcontrol.remote.insecure-no-authentication = on", daemon.Output);
        Assert.Contains($"listening on akka.tcp://rcontrol@127.0.0.1:{daemon.Port}", daemon.Output);
        // No CA, no credentials (the state directory may still hold the job store).
        Assert.Empty(Directory.Exists(daemon.StateDir) ? Directory.GetFiles(daemon.StateDir, "*.pfx") : []);
        await using var client = await RemoteEngine.ConnectAsync(daemon.Address, Akka.Configuration.ConfigurationFactory.ParseString("rcontrol.remote.insecure-no-authentication = on"));
        Assert.Equal(0, await (await client.GetSessionAsync("local")).Execute("true").WaitAsync());
    }

    [Fact]
    public async Task Daemon_refuses_the_insecure_setting_off_loopback()
    {
        await using var daemon = DaemonProcess.Start("akka.remote.dot-netty.tcp { hostname = \"0.0.0.0\", port = {port} }\nrcontrol.remote.insecure-no-authentication = on");
        Assert.Equal(2, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await daemon.WaitForOutputAsync("refusing to bind Akka.Remote to '0.0.0.0' with rcontrol.remote.insecure-no-authentication = on", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_bad_value_in_the_daemon_config_is_one_line_naming_session_and_key_and_exits_2()
    {
        await using var daemon = DaemonProcess.Start("rcontrol.sessions { web1 { type = ssh, host = h, max-channels = \"abc\" } }\nakka.remote.dot-netty.tcp.port = {port}");
        Assert.Equal(2, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await daemon.WaitForOutputAsync("session 'web1': 'max-channels' must be a whole number, got 'abc'", TimeSpan.FromSeconds(5));
        Assert.Single(daemon.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_port_exits_2_with_one_line()
    {
        await using var first = await DaemonProcess.StartReadyAsync(Config);
        await using var second = DaemonProcess.Start(Config, port: first.Port);
        Assert.Equal(2, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await second.WaitForOutputAsync("already in use", TimeSpan.FromSeconds(5));
        Assert.Single(second.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(first.HasExited);

        // Every client still reaches the first daemon (no split between two listeners).
        await using var client = await RemoteEngine.ConnectAsync(first.Address, first.AdminConfig);
        Assert.Equal(0, await (await client.GetSessionAsync("local")).Execute("true").WaitAsync());
    }

    [Fact]
    public async Task Daemon_reports_a_bad_config_and_exits_2()
    {
        await using var daemon = DaemonProcess.Start("rcontrol.sessions { x { type = ftp } }\nakka.remote.dot-netty.tcp.port = {port}");
        Assert.Equal(2, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await daemon.WaitForOutputAsync("session 'x': unknown type 'ftp'", TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("sesions { web { type = local } }", "rcontrol: unknown key 'sesions' (did you mean 'sessions'?)")]
    [InlineData("remote { ask-timout = 5s }", "rcontrol.remote: unknown key 'ask-timout' (did you mean 'ask-timeout'?)")]
    [InlineData("remote.tls { enabeld = on }", "rcontrol.remote.tls: unknown key 'enabeld' (did you mean 'enabled'?)")]
    [InlineData("daemon.jobs.retention.max-ag = 1d", "rcontrol.daemon.jobs.retention: unknown key 'max-ag' (did you mean 'max-age'?)")]
    [InlineData("readers { windw = 4 }", "rcontrol.readers: unknown key 'windw' (did you mean 'window'?)")]
    public async Task A_misspelt_key_at_any_level_of_the_daemon_config_is_one_line_with_file_and_line_and_nothing_starts(string typo, string expected)
    {
        await using var daemon = DaemonProcess.Start($$"""
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {port} }
            rcontrol {
              sessions { local { type = local } }
              {{typo}}
            }
            """);
        Assert.Equal(2, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var line = Assert.Single(daemon.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"rcontrol daemon: {Path.Combine(daemon.Directory, "daemon.conf")}:4: {expected} (known: ", line);
        Assert.False(System.IO.Directory.Exists(daemon.StateDir), "nothing started: no state directory was created");
    }
}
