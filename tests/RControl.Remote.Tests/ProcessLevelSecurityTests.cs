using System.Diagnostics;
using RControl.Remote.Tests.Support;
using RControl.TestSupport;

namespace RControl.Remote.Tests;

/// <summary>
/// The real daemon, run as root, against another local Unix user and against client processes: without the daemon's
/// credentials nothing runs, nothing is read, nothing is killed; with them, several clients work at once and a client's
/// commands die with it.
/// </summary>
public sealed class ProcessLevelSecurityTests
{
    private const string Config = """
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {port} }
        rcontrol.sessions { local { type = local, working-directory = "/tmp" } }
        """;

    private const string Dll = "RControl.Remote.Tests.dll";

    [Fact]
    public async Task Another_local_user_without_the_credentials_can_do_nothing_and_the_refusals_are_logged()
    {
        Assert.True(TestUser.IsRoot, "this test creates and uses a second Unix user: run the tests as root (as CI does)");
        var other = (await TestUser.GetAsync()).Name;
        var marker = $"/tmp/rcontrol-intruded-{Guid.NewGuid():N}";

        // A CA-issued credential without any grant, handed to the other user.
        var dir = Directory.CreateTempSubdirectory("rcontrol-daemon-").FullName;
        File.WriteAllText(Path.Combine(dir, "daemon.conf"), Config.Replace("{port}", "0", StringComparison.Ordinal) + $"\nrcontrol.daemon.state-dir = \"{dir}/state\"\n");
        var nobodyFile = $"/tmp/rcontrol-nobody-{Guid.NewGuid():N}.pfx";
        var issued = await ClientProcess.RunAsync("rcontrol.dll", ["daemon", "credentials", "issue", "nobody", "--config", Path.Combine(dir, "daemon.conf"), "--out", nobodyFile]);
        Assert.True(issued.ExitCode == 0, issued.Stderr + issued.Stdout);
        await ProcessRunner.RunCheckedAsync("chown", other, nobodyFile);

        await using var daemon = await DaemonProcess.StartReadyAsync(Config, dir: dir);
        try
        {
            // The daemon's own user (root) runs a command with no option at all.
            var mine = await ClientProcess.RunAsync("rcontrol.dll", ["exec", "--daemon", daemon.Address, "-t", "local", "--", "echo root-ok"], environment: new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = daemon.ConfigHome });
            Assert.True(mine.ExitCode == 0, mine.Stderr + daemon.Output);
            Assert.Contains("local: root-ok", mine.Stdout);

            // A victim: root's client with a running task, whose own actor system the intruder also attacks.
            await using var victim = await RemoteEngine.ConnectAsync(daemon.Address, daemon.AdminConfig);
            var lines = new List<string>();
            var started = new TaskCompletionSource();
            var running = (await victim.GetSessionAsync("local")).Execute("echo up; sleep 600; echo down", new CommandOptions
            {
                OnStdout = (_, l) =>
                {
                    lines.Add(l);
                    started.TrySetResult();
                },
            });
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // The other user, with the CLI: exec, file read (copy), open (an ad-hoc target), with no or root's credential.
            var attempts = new[]
            {
                new[] { "exec", "--daemon", daemon.Address, "-t", "local", "--", $"touch {marker}" },
                ["exec", "--daemon", daemon.Address, "--credential", daemon.AdminCredential, "-t", "local", "--", $"touch {marker}"],
                ["copy", "--daemon", daemon.Address, "local:/etc/shadow", $"local:{marker}"],
                ["exec", "--daemon", daemon.Address, "-t", "adhoc-local", "--", $"touch {marker}"],
            };
            foreach (var args in attempts)
            {
                var r = await ClientProcess.RunAsync("rcontrol.dll", args, other);
                Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
                Assert.Matches("no RControl credential found|cannot read the credential", r.Stderr);
            }

            // A CA-issued identity without grants: logs in, may do nothing, and the denial is audited.
            var denied = await ClientProcess.RunAsync("rcontrol.dll", ["exec", "--daemon", daemon.Address, "--credential", nobodyFile, "-t", "local", "--", $"touch {marker}"], other);
            Assert.NotEqual(0, denied.ExitCode);
            Assert.Contains("client 'nobody' may not", denied.Stderr + denied.Stdout);
            await daemon.WaitForOutputAsync("audit: DENIED nobody", TimeSpan.FromSeconds(10));

            // The other user, with a hand-built Akka client: raw protocol messages to the daemon's and the victim's paths.
            var intruded = await ClientProcess.RunAsync(Dll, ["intrude-daemon", daemon.Address, marker], other);
            Assert.True(intruded.ExitCode == 0, intruded.Stdout + intruded.Stderr);
            Assert.Contains("answers 0", intruded.Stdout);
            var victimAddress = ((Akka.Actor.ExtendedActorSystem)victim.System.ActorSystem).Provider.DefaultAddress.ToString();
            var intrudedClient = await ClientProcess.RunAsync(Dll, ["intrude-client", victimAddress], other);
            Assert.True(intrudedClient.ExitCode == 0, intrudedClient.Stdout + intrudedClient.Stderr);

            // Nothing ran on the host, the victim's task is untouched, and the daemon logged the refused handshakes.
            Assert.False(File.Exists(marker), "the intruder's command ran");
            Assert.True(running.IsRunning, "the victim's task was ended by the intruder");
            Assert.Equal(["up"], lines);
            await daemon.WaitForOutputAsync("TLS: refused", TimeSpan.FromSeconds(10));
            await running.KillAsync();
        }
        finally
        {
            File.Delete(nobodyFile);
        }
    }

    [Fact]
    public async Task Several_client_processes_at_once_and_a_SIGKILLed_clients_command_disappears_from_the_host()
    {
        await using var daemon = await DaemonProcess.StartReadyAsync(Config);
        var marker = $"{Random.Shared.Next(100000, 999999)}";
        var pattern = $"sleep 1000.{marker}";
        using var doomed = ClientProcess.Start(Dll, ["client", daemon.Address, daemon.AdminCredential, $"echo up; exec {pattern}"]);

        // The command on the host: every process with the marker but the client itself (which shares this test's process group).
        async Task<IReadOnlyList<int>> CommandsAsync() => (await ProcessRunner.PgrepAsync(pattern)).Where(pid => pid != doomed.Id).ToArray();
        async Task<int> OnHostAsync() => (await CommandsAsync()).Count;
        try
        {
            await Poll.UntilAsync(async () => await OnHostAsync() > 0, TimeSpan.FromSeconds(60), "the doomed client's command to run");

            // Several clients at once, each with its own output.
            var clients = Enumerable.Range(1, 4).Select(i => ClientProcess.RunAsync(Dll, ["client", daemon.Address, daemon.AdminCredential, $"seq 1 20000 | tail -1; echo client-{i}"])).ToArray();
            var results = await Task.WhenAll(clients);
            for (var i = 0; i < results.Length; i++)
            {
                Assert.True(results[i].ExitCode == 0, results[i].Stdout + results[i].Stderr);
                Assert.Contains("20000\n", results[i].Stdout);
                Assert.Contains($"client-{i + 1}\n", results[i].Stdout);
                Assert.Contains("exit 0", results[i].Stdout);
            }

            if (doomed.HasExited)
            {
                Assert.Fail("the doomed client ended early: " + doomed.StandardOutput.ReadToEnd() + doomed.StandardError.ReadToEnd());
            }

            doomed.Kill(); // SIGKILL: no goodbye to the daemon
            var watch = Stopwatch.StartNew();
            await Poll.UntilAsync(async () => await OnHostAsync() == 0, TimeSpan.FromSeconds(25), "the dead client's command to disappear from the host");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(25));
            await daemon.WaitForOutputAsync("was killed on session local", TimeSpan.FromSeconds(10));
        }
        finally
        {
            if (!doomed.HasExited)
            {
                doomed.Kill();
            }

            foreach (var pid in await CommandsAsync())
            {
                ProcessTree.Kill(pid);
            }
        }
    }
}
