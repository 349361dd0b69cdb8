using RControl.TestSupport;

namespace RControl.Ssh.Tests.Faults;

/// <summary>
/// A server that has no channel to spare for the connection's guardian (<c>MaxSessions 1</c> while the session allows
/// more channels): the guardian gives its channel up, the commands run on it with a watcher each, and they still die
/// with their connection.
/// </summary>
public sealed class GuardianRefusedTests
{
    private static readonly TimeSpan LeftBound = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Commands_run_and_die_with_their_connection_when_the_server_has_no_channel_for_the_guardian()
    {
        await using var server = await SshServer.StartAsync(new SshServerOptions { MaxSessions = 1 });
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("no-room", server.Spec() with { MaxChannels = 4, MaxConnections = 1 });

        // Three at once on a connection that takes one channel at a time: each runs, with its output and exit code.
        var outputs = Enumerable.Range(0, 3).Select(_ => new List<string>()).ToArray();
        var tasks = Enumerable.Range(0, 3).Select(i => session.Execute($"echo out {i}; exit {i + 3}", new CommandOptions
        {
            ExpectedExitCode = i + 3,
            OnStdout = (_, line) => outputs[i].Add(line),
        })).ToArray();
        var codes = await Task.WhenAll(tasks.Select(t => t.WaitAsync())).WaitAsync(Bound);
        Assert.Equal([3, 4, 5], codes.Select(c => c ?? -1));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal([$"out {i}"], outputs[i]);
        }

        var sleep = new SleepMarker();
        try
        {
            var running = session.Execute(sleep.Command);
            await sleep.WaitSleepingAsync(1, Bound);

            // Kill the sshd processes serving this connection (not the listener): only the command's own watcher is left
            // to end it.
            var sleeper = (await sleep.LeftAsync()).First(pid => ProcessTree.Name(pid) == "sleep");
            var daemons = ProcessTree.AncestorsNamed(sleeper, "sshd").Where(pid => pid != server.Pid).ToArray();
            Assert.NotEmpty(daemons);
            foreach (var pid in daemons)
            {
                ProcessTree.Kill(pid);
            }

            await sleep.WaitGoneAsync(LeftBound);
            var error = await Assert.ThrowsAsync<TaskException>(() => running.WaitAsync().WaitAsync(Bound));
            Assert.Contains("connection lost", error.Message);

            // The next command gets a fresh connection and runs.
            Assert.Equal(0, await session.Execute("true").WaitAsync().WaitAsync(Bound));
        }
        finally
        {
            await sleep.KillLeftAsync();
        }
    }

    [Fact]
    public async Task Timeouts_at_once_kill_every_command_when_the_server_allows_one_channel_per_connection()
    {
        await using var server = await SshServer.StartAsync(new SshServerOptions { MaxSessions = 1 });
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("one-each", server.Spec() with { MaxChannels = 4, MaxConnections = 3 });
        var sleep = new SleepMarker();
        try
        {
            // Three connections, one command each; their kills share the one control connection, which takes one channel at a time.
            // The timeout counts the three connects: long enough to see the three sleeps before it fires, at load too.
            var tasks = Enumerable.Range(0, 3).Select(_ => session.Execute(sleep.Command, new CommandOptions { Timeout = TimeSpan.FromSeconds(8) })).ToArray();
            await sleep.WaitSleepingAsync(3, Bound);

            foreach (var task in tasks)
            {
                await Assert.ThrowsAsync<TaskTimeoutException>(() => task.WaitAsync().WaitAsync(Bound));
            }

            await sleep.WaitGoneAsync(LeftBound);
        }
        finally
        {
            await sleep.KillLeftAsync();
        }
    }
}
