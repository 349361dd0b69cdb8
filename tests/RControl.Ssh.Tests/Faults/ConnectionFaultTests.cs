using RControl.TestSupport;

namespace RControl.Ssh.Tests.Faults;

/// <summary>Connections that drop mid-command fail their tasks promptly and once; the next command reconnects.</summary>
public sealed class ConnectionFaultTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static async Task WaitRunningAsync(string marker, int count) =>
        await Poll.UntilAsync(async () => (await ProcessRunner.PgrepAsync(marker)).Count >= count, Bound, $"{count} commands tagged {marker}");

    [Fact]
    public async Task Cutting_the_tcp_connection_fails_every_running_task_once_and_the_next_command_reconnects()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("cut", server.Spec(proxy.Port) with { KeepAlive = TimeSpan.FromSeconds(2) });
        var marker = $"rc-cut-{Guid.NewGuid():N}";
        var tasks = Enumerable.Range(0, 3).Select(_ => session.Execute($"sleep 30; : {marker}")).ToArray();
        await WaitRunningAsync(marker, 3);

        proxy.CutAll();
        var errors = await session.WaitForTasksAsync(raiseIfError: false).WaitAsync(Bound);

        Assert.Equal(3, errors.Count);
        Assert.All(errors, e => Assert.Contains("connection lost", e.Message));
        Assert.All(errors, e => Assert.Contains($"127.0.0.1:{proxy.Port}", e.Message));
        Assert.All(tasks, t => Assert.False(t.IsRunning));
        Assert.Empty(await session.WaitForTasksAsync(raiseIfError: false));

        // The network is back: the commands the lost connection left running on the server are killed too.
        await Poll.UntilAsync(async () => (await ProcessRunner.PgrepAsync(marker)).Count == 0, Bound, $"no command tagged {marker} left");

        var lines = new List<string>();
        Assert.Equal(0, await session.Execute("echo again", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync());
        Assert.Equal(["again"], lines);
    }

    [Fact]
    public async Task Sshd_killed_mid_command_then_restarted_the_session_reconnects()
    {
        await using var server = await SshServer.StartAsync();
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("restart", server.Spec());
        var marker = $"rc-restart-{Guid.NewGuid():N}";
        var task = session.Execute($"sleep 30; : {marker}");
        await WaitRunningAsync(marker, 1);

        await server.StopAsync();
        var error = await Assert.ThrowsAsync<TaskException>(() => task.WaitAsync().WaitAsync(Bound));
        Assert.Contains("connection lost", error.Message);

        await server.RestartAsync();
        Assert.Equal(0, await session.Execute("true").WaitAsync().WaitAsync(Bound));
    }

    [Fact]
    public async Task Repeated_connect_failures_back_off_instead_of_storming_the_host()
    {
        await using var proxy = TcpProxy.Start(FreePort.GetClosed());
        proxy.RefuseNew(true);
        await using var rc = RControlSystem.Create();
        var spec = new Protocol.SshSessionSpec("127.0.0.1") { Port = proxy.Port, User = "nobody", Password = "unused", SshConfigFile = "/dev/null", KnownHostsFile = "/dev/null", ConnectBudget = TimeSpan.FromSeconds(2) };
        await using var session = rc.CreateSshSession("storm", spec);

        var tasks = Enumerable.Range(0, 30).Select(_ => session.Execute("true")).ToArray();
        var errors = await session.WaitForTasksAsync(raiseIfError: false).WaitAsync(Bound);

        Assert.Equal(30, errors.Count);
        Assert.All(errors, e => Assert.Contains("127.0.0.1", e.Message));
        Assert.All(errors, e => Assert.Contains("closed the connection during the handshake", e.Message));
        // One attempt at a time serves every waiting command, retried with backoff (0, 0.25, 0.75, 1.75 s) within the 2 s budget.
        Assert.InRange(proxy.AcceptedConnections, 1, 5);
    }

    [Fact]
    public async Task A_connection_that_stops_answering_fails_its_tasks_within_one_and_a_half_keep_alive_intervals()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        await using var rc = RControlSystem.Create();
        var keepAlive = TimeSpan.FromSeconds(2);
        await using var session = rc.CreateSshSession("hang", server.Spec(proxy.Port) with { KeepAlive = keepAlive });
        var marker = $"rc-hang-{Guid.NewGuid():N}";
        var started = 0;
        var tasks = Enumerable.Range(0, 2).Select(_ => session.Execute($"echo up; sleep 30; : {marker}", new CommandOptions { OnStdout = (_, _) => Interlocked.Increment(ref started) })).ToArray();
        // Both commands running as the client sees them (their first line read), not only on the server: two processes
        // tagged with the marker can be one command (its shell and its stdin watcher's subshell, before the connection's
        // guardian is ready), and at load a command still starting when the peer hung was not failed within the bound.
        await Poll.UntilAsync(() => Volatile.Read(ref started) == 2, Bound, "both commands' first line");
        await WaitRunningAsync(marker, 2);

        // TCP stays open but nothing gets through: only an answered keep-alive can notice.
        proxy.Blackhole(true);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var errors = await session.WaitForTasksAsync(raiseIfError: false).WaitAsync(Bound);
        watch.Stop();
        output.WriteLine($"hung peer detected after {watch.Elapsed.TotalSeconds:0.00}s = {watch.Elapsed / keepAlive:0.00} × keep-alive");

        // The documented bound: between 1 and 1.5 intervals after the peer stopped answering (a request still in
        // flight when it hung may have been sent up to a quarter interval earlier), plus timer and scheduling slack.
        Assert.True(watch.Elapsed >= keepAlive * 0.75, $"tasks failed {watch.Elapsed} after the connection hung: too early for keep-alive {keepAlive}");
        Assert.True(watch.Elapsed <= keepAlive * 1.5 + TimeSpan.FromSeconds(1), $"tasks failed {watch.Elapsed} after the connection hung (keep-alive {keepAlive}, bound 1.5 × + 1 s slack)");
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Contains("no answer to keep-alive", e.Message));

        proxy.Blackhole(false);
        Assert.Equal(0, await session.Execute("true").WaitAsync().WaitAsync(Bound));
        await ProcessTree.KillMatchingAsync(marker);
    }
}
