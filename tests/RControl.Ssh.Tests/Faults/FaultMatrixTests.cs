using System.Diagnostics;
using RControl.TestSupport;

namespace RControl.Ssh.Tests.Faults;

/// <summary>
/// One test per fault, against a real sshd (and the TCP proxy where the network fails). Each asserts: every running
/// task fails exactly once with an error naming the fault, the wait returns, no process of the test's commands is
/// left on the host within 5 s, and the next command works once the host is back.
/// </summary>
public sealed class FaultMatrixTests
{
    /// <summary>What the documentation promises for "nothing left on the host".</summary>
    private static readonly TimeSpan LeftBound = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private const int Tasks = 2;

    [Fact]
    public async Task Controller_process_SIGKILLed_leaves_nothing_running()
    {
        await using var server = await SshServer.StartAsync();
        var sleep = new SleepMarker();
        var cli = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "rcontrol.dll"), "exec", "-t", $"{server.User.Name}@{server.Host}:{server.Port}",
            "--identity", server.ClientKey.PrivateKeyFile, "--known-hosts", server.KnownHostsFile, "--ssh-config", server.SshConfigFile,
            "--", $"{sleep.Command} & {sleep.Command}",
        })
        {
            cli.ArgumentList.Add(arg);
        }

        using var controller = Process.Start(cli)!;
        try
        {
            await sleep.WaitSleepingAsync(Tasks, Bound);

            // SIGKILL: the controller runs no clean-up at all; only the remote wrapper can notice.
            controller.Kill();
            await controller.WaitForExitAsync().WaitAsync(Bound);

            await sleep.WaitGoneAsync(LeftBound);
        }
        finally
        {
            await sleep.KillLeftAsync();
        }

        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("after", server.Spec());
        Assert.Equal(0, await session.Execute("true").WaitAsync().WaitAsync(Bound));
    }

    [Fact]
    public async Task Proxy_stops_forwarding_fails_the_tasks_by_keep_alive_and_leaves_nothing_running()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("hung", server.Spec(proxy.Port) with { KeepAlive = TimeSpan.FromSeconds(1) });
        var sleep = new SleepMarker();
        try
        {
            var tasks = await StartAsync(session, sleep);

            proxy.Blackhole(true);
            await AssertEachFailedOnceAsync(session, tasks, "no answer to keep-alive");
            await sleep.WaitGoneAsync(LeftBound);

            proxy.Blackhole(false);
            Assert.Equal(0, await session.Execute("true").WaitAsync().WaitAsync(Bound));
        }
        finally
        {
            await sleep.KillLeftAsync();
        }
    }

    [Fact]
    public async Task Proxy_resets_every_connection_fails_the_tasks_once_and_leaves_nothing_running()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("reset", server.Spec(proxy.Port));
        var sleep = new SleepMarker();
        try
        {
            var tasks = await StartAsync(session, sleep);

            proxy.CutAll();
            await AssertEachFailedOnceAsync(session, tasks, "closed or reset");
            await sleep.WaitGoneAsync(LeftBound);

            Assert.Equal(0, await session.Execute("true").WaitAsync().WaitAsync(Bound));
        }
        finally
        {
            await sleep.KillLeftAsync();
        }
    }

    [Fact]
    public async Task Sshd_killed_and_restarted_fails_the_tasks_once_and_leaves_nothing_running()
    {
        await using var server = await SshServer.StartAsync();
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("restart", server.Spec());
        var sleep = new SleepMarker();
        try
        {
            var tasks = await StartAsync(session, sleep);

            // Every sshd process (listener and per-connection), not the commands: pkill -9 sshd on the host.
            await server.KillSshdProcessesAsync();
            await AssertEachFailedOnceAsync(session, tasks, "closed or reset");
            await sleep.WaitGoneAsync(LeftBound);

            await server.StartAgainAsync();
            Assert.Equal(0, await session.Execute("true").WaitAsync().WaitAsync(Bound));
        }
        finally
        {
            await sleep.KillLeftAsync();
        }
    }

    [Fact]
    public async Task The_connections_sshd_processes_killed_fails_the_tasks_once_and_leaves_nothing_running()
    {
        await using var server = await SshServer.StartAsync();
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("victim", server.Spec());
        var sleep = new SleepMarker();
        try
        {
            var tasks = await StartAsync(session, sleep);

            // The sshd processes serving this connection (privileged monitor and user child); the listener lives on.
            var sleeper = (await sleep.LeftAsync()).First(pid => ProcessTree.Name(pid) == "sleep");
            var daemons = ProcessTree.AncestorsNamed(sleeper, "sshd").Where(pid => pid != server.Pid).ToArray();
            Assert.NotEmpty(daemons);
            foreach (var pid in daemons)
            {
                ProcessTree.Kill(pid);
            }

            await AssertEachFailedOnceAsync(session, tasks, "closed or reset");
            await sleep.WaitGoneAsync(LeftBound);

            Assert.Equal(0, await session.Execute("true").WaitAsync().WaitAsync(Bound));
        }
        finally
        {
            await sleep.KillLeftAsync();
        }
    }

    [Fact]
    public async Task A_starved_handshake_times_out_without_failing_the_queue_which_runs_once_sshd_answers()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("starved", server.Spec(proxy.Port) with { ConnectTimeout = TimeSpan.FromSeconds(1), ConnectBudget = Bound });
        var listener = server.Pid!.Value;

        // A frozen sshd accepts TCP (the kernel does) but never answers the handshake: every attempt times out.
        Assert.True(ProcessTree.Freeze(listener));
        CommandTask[] tasks;
        try
        {
            tasks = Enumerable.Range(0, 20).Select(i => session.Execute($"echo {i}")).ToArray();
            await Poll.UntilAsync(() => proxy.AcceptedConnections >= 2, Bound, "a second connect attempt after the first timed out");
            Assert.All(tasks, t => Assert.True(t.IsRunning));
        }
        finally
        {
            ProcessTree.Thaw(listener);
        }

        // One timed-out handshake failed nothing: the whole queue runs once sshd answers again.
        var codes = await Task.WhenAll(tasks.Select(t => t.WaitAsync().WaitAsync(Bound)));
        Assert.All(codes, code => Assert.Equal(0, code));
        Assert.Empty(await session.WaitForTasksAsync(raiseIfError: false));
    }

    [Fact]
    public async Task A_closed_connection_alone_ends_its_remote_commands()
    {
        // No kill is sent here: only the wrapper's stdin watcher can end the command when the connection goes away.
        await using var server = await SshServer.StartAsync();
        var sleep = new SleepMarker();
        try
        {
            using (var client = await Transports.Ssh.SshConnector.ConnectAsync(server.Spec(), CancellationToken.None))
            {
                var text = Transports.Ssh.SshCommandLine.Build(new Protocol.CommandSpec(sleep.Command), null, Transports.Ssh.SshCommandLine.NewNonce());
                var command = client.CreateCommand(text);
                _ = command.ExecuteAsync();
                await sleep.WaitSleepingAsync(1, Bound);
            }

            await sleep.WaitGoneAsync(LeftBound);
        }
        finally
        {
            await sleep.KillLeftAsync();
        }
    }

    private static async Task<CommandTask[]> StartAsync(Session session, SleepMarker sleep)
    {
        var tasks = Enumerable.Range(0, Tasks).Select(_ => session.Execute(sleep.Command)).ToArray();
        await sleep.WaitSleepingAsync(Tasks, Bound);
        return tasks;
    }

    private static async Task AssertEachFailedOnceAsync(Session session, CommandTask[] tasks, string fault)
    {
        var errors = await session.WaitForTasksAsync(raiseIfError: false).WaitAsync(Bound);
        Assert.Equal(tasks.Length, errors.Count);
        Assert.All(errors, e => Assert.Contains("connection lost", e.Message));
        Assert.All(errors, e => Assert.Contains(fault, e.Message));
        Assert.All(tasks, t => Assert.False(t.IsRunning));
        Assert.Empty(await session.WaitForTasksAsync(raiseIfError: false));
    }
}
