using Renci.SshNet;
using RControl.Protocol;
using RControl.TestSupport;
using RControl.Transports.Ssh;

namespace RControl.Ssh.Tests.Faults;

/// <summary>
/// The connection's guardian against a real sshd, with no kill sent by RControl: only the guardian can end the
/// commands when their connection dies. Each test waits for the guardian's directory first, so every command takes
/// the registration path of the wrapper (not its fallback watcher).
/// </summary>
public sealed class GuardianTests
{
    private static readonly TimeSpan LeftBound = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_killed_connection_leaves_none_of_its_running_commands()
    {
        const int commands = 5;
        await using var server = await SshServer.StartAsync();
        var sleep = new SleepMarker();
        try
        {
            using var client = await SshConnector.ConnectAsync(server.Spec(), CancellationToken.None);
            var guardian = await ReadyGuardian.StartAsync(client);
            var dir = guardian.Directory!;
            var running = Enumerable.Range(0, commands).Select(_ => Run(client, sleep.Command, guardian)).ToArray();
            await sleep.WaitSleepingAsync(commands, Bound);

            // Registered with the guardian, no watcher of their own: each group is its shell and its sleep.
            Assert.StartsWith("/dev/shm/rcontrol-g.", dir);
            Assert.Equal(commands, Directory.GetFiles(dir).Length);
            Assert.Equal(2 * commands, (await sleep.LeftAsync()).Count);

            // The sshd processes serving this connection (privileged monitor and user child); the listener lives on.
            var sleeper = (await sleep.LeftAsync()).First(pid => ProcessTree.Name(pid) == "sleep");
            var daemons = ProcessTree.AncestorsNamed(sleeper, "sshd").Where(pid => pid != server.Pid).ToArray();
            Assert.NotEmpty(daemons);
            foreach (var pid in daemons)
            {
                ProcessTree.Kill(pid);
            }

            await sleep.WaitGoneAsync(LeftBound);
            await Poll.UntilAsync(() => !Directory.Exists(dir), LeftBound, "the guardian's directory removed");
            GC.KeepAlive(running);
        }
        finally
        {
            await sleep.KillLeftAsync();
        }
    }

    [Fact]
    public async Task A_command_that_ended_leaves_its_background_job_alone_when_the_connection_goes()
    {
        await using var server = await SshServer.StartAsync();
        var sleep = new SleepMarker();
        try
        {
            string directory;
            using (var client = await SshConnector.ConnectAsync(server.Spec(), CancellationToken.None))
            {
                var guardian = await ReadyGuardian.StartAsync(client);
                var dir = guardian.Directory!;
                directory = dir;
                await Run(client, $"{sleep.Command} >/dev/null 2>&1 &", guardian).WaitAsync(Bound);
                await sleep.WaitSleepingAsync(1, Bound);
            }

            // The guardian has seen the connection close and swept its directory: the job of the ended command is left.
            await Poll.UntilAsync(() => !Directory.Exists(directory), Bound, "the guardian's directory removed");
            Assert.Equal(1, sleep.Sleeping);
        }
        finally
        {
            await sleep.KillLeftAsync();
        }
    }

    [Fact]
    public async Task The_guardian_prunes_the_entries_of_ended_commands_and_keeps_the_running_ones()
    {
        await using var server = await SshServer.StartAsync();
        var sleep = new SleepMarker();
        try
        {
            using var client = await SshConnector.ConnectAsync(server.Spec(), CancellationToken.None);
            var guardian = await ReadyGuardian.StartAsync(client);
            var dir = guardian.Directory!;
            var running = Run(client, sleep.Command, guardian);
            await sleep.WaitSleepingAsync(1, Bound);

            // 300 registrations of commands that ended (each a shell that registered and exited), as a long-lived
            // connection accumulates them.
            var fill = $"i=0; while [ $i -lt 300 ]; do sh -c 'exec 7>{dir}/$$.e'; i=$((i+1)); done";
            Assert.Equal(0, await Run(client, fill, guardian).WaitAsync(Bound));
            Assert.True(Directory.GetFiles(dir).Length > 300);

            for (var i = 0; i < SshGuardian.PruneEvery; i++)
            {
                guardian.CommandStarted();
            }

            // Only the running command's registration (and the filler's own, if its shell has not ended) remains.
            await Poll.UntilAsync(() => Directory.GetFiles(dir).Length <= 1, Bound, "the ended entries pruned");
            var kept = Assert.Single(Directory.GetFiles(dir));
            Assert.Contains(int.Parse(Path.GetFileName(kept).Split('.')[0]), await sleep.LeftAsync());
            Assert.Equal(1, sleep.Sleeping);
            GC.KeepAlive(running);
        }
        finally
        {
            await sleep.KillLeftAsync();
        }
    }

    [Fact]
    public async Task The_guardians_directory_is_private_and_it_kills_only_the_holders_of_their_registration()
    {
        await using var server = await SshServer.StartAsync();
        var stranger = new SleepMarker();
        try
        {
            using var client = await SshConnector.ConnectAsync(server.Spec(), CancellationToken.None);
            var guardian = await ReadyGuardian.StartAsync(client);
            var dir = guardian.Directory!;

            // Mode 0700, owned by the login user.
            var modeAndOwner = (await ProcessRunner.RunCheckedAsync("stat", "-c", "%a %U %F", dir)).Trim();
            Assert.Equal($"700 {server.User.Name} directory", modeAndOwner);

            if (TestUser.IsRoot)
            {
                // Another local user can neither add an entry nor list the directory.
                var forged = Path.Combine(dir, "1.forged");
                var touch = await ProcessRunner.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "touch", forged]);
                Assert.NotEqual(0, touch.ExitCode);
                Assert.False(File.Exists(forged));
                var list = await ProcessRunner.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "ls", dir]);
                Assert.NotEqual(0, list.ExitCode);
            }

            // An entry naming a live process of the same user that does not hold it (as after a pid was reused) is not
            // followed: the process runs on (a command of another connection, with no guardian).
            using var other = await SshConnector.ConnectAsync(server.Spec(), CancellationToken.None);
            var strangerRun = other.CreateCommand(SshCommandLine.Build(new CommandSpec(stranger.Command), null, SshCommandLine.NewNonce())).ExecuteAsync();
            await stranger.WaitSleepingAsync(1, Bound);
            var strangerPid = (await stranger.LeftAsync()).First(pid => ProcessTree.Name(pid) == "sleep");
            var leader = ProcessTree.Parent(strangerPid)!.Value;
            foreach (var pid in new[] { strangerPid, leader })
            {
                var entry = Path.Combine(dir, $"{pid}.{SshCommandLine.NewNonce()}");
                await File.WriteAllTextAsync(entry, "");
                await ProcessRunner.RunCheckedAsync("chown", server.User.Name, entry);
                guardian.Kill(new RemoteProcess(pid, 0), Path.GetExtension(entry)[1..]);
            }

            client.Dispose();
            await Poll.UntilAsync(() => !Directory.Exists(dir), Bound, "the guardian's directory removed");
            Assert.Equal(1, stranger.Sleeping);
            GC.KeepAlive(strangerRun);
        }
        finally
        {
            await stranger.KillLeftAsync();
        }
    }

    [Fact]
    public async Task A_sessions_commands_register_once_the_guardian_is_ready_and_a_timeout_kills_one_that_execd()
    {
        await using var server = await SshServer.StartAsync();
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("guarded", server.Spec());
        string? registration = null;
        await Poll.UntilAsync(async () =>
        {
            var lines = new List<string>();
            await session.Execute("readlink /proc/$$/fd/7 || true", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync();
            registration = lines.FirstOrDefault();
            return registration?.StartsWith("/dev/shm/rcontrol-g.", StringComparison.Ordinal) == true;
        }, Bound, "a command registered with the connection's guardian");
        Assert.Matches(@"^/dev/shm/rcontrol-g\.[0-9a-f]{32}/[0-9]+\.[0-9a-f]{32}$", registration);

        // The command replaces its shell: the leader's command line no longer carries the nonce, its registration
        // (descriptor 7) is what the kill recognises it by.
        var sleep = new SleepMarker();
        try
        {
            var task = session.Execute($"exec {sleep.Command}", new CommandOptions { Timeout = TimeSpan.FromSeconds(1) });
            await Assert.ThrowsAsync<TaskTimeoutException>(() => task.WaitAsync());
            await sleep.WaitGoneAsync(LeftBound);
        }
        finally
        {
            await sleep.KillLeftAsync();
        }
    }


    private static Task<int> Run(SshClient client, string command, SshGuardian guardian)
    {
        var ssh = client.CreateCommand(SshCommandLine.Build(new CommandSpec(command), null, SshCommandLine.NewNonce(), guardian.Directory));
        return ssh.ExecuteAsync().ContinueWith(t =>
        {
            t.GetAwaiter().GetResult();
            return ssh.ExitStatus ?? -1;
        }, TaskScheduler.Default);
    }
}
