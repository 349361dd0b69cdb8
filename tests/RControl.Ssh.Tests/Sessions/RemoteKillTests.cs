using RControl.TestSupport;

namespace RControl.Ssh.Tests.Sessions;

/// <summary>Timeouts and kills reach the remote command and all its children (checked with pgrep on the server).</summary>
public sealed class RemoteKillTests(SshdFixture sshd) : IClassFixture<SshdFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private static string Marker() => $"rc-kill-{Guid.NewGuid():N}";

    /// <summary>A command that leaves a child in the background and one in the foreground, both tagged in their command lines.</summary>
    private static string Tree(string marker) =>
        $"sh -c 'sleep 300; : {marker}' & sh -c 'sleep 300; : {marker}'";

    private static async Task WaitRunningAsync(string marker, int atLeast) =>
        await Poll.UntilAsync(async () => (await ProcessRunner.PgrepAsync(marker)).Count >= atLeast, Deadline, $"{atLeast} processes tagged {marker}");

    private static async Task WaitGoneAsync(string marker) =>
        await Poll.UntilAsync(async () => (await ProcessRunner.PgrepAsync(marker)).Count == 0, Deadline, $"no process tagged {marker} left");

    [Fact]
    public async Task Timeout_kills_the_remote_process_group()
    {
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("kill", sshd.Server.Spec());
        var marker = Marker();
        var timedOut = false;
        // Long enough to see the processes start even on a loaded machine (the timeout counts the connect too).
        var task = session.Execute(Tree(marker), new CommandOptions { Timeout = TimeSpan.FromSeconds(8), OnTimeout = _ => timedOut = true });
        await WaitRunningAsync(marker, 2);

        await Assert.ThrowsAsync<TaskTimeoutException>(() => task.WaitAsync());
        Assert.True(task.TimedOut);
        Assert.True(timedOut);
        Assert.Null(task.ExitCode);
        await WaitGoneAsync(marker);
    }

    [Fact]
    public async Task Output_timeout_kills_the_remote_process_group()
    {
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("idle", sshd.Server.Spec());
        var marker = Marker();
        var task = session.Execute($"echo first; {Tree(marker)}", new CommandOptions { OutputTimeout = TimeSpan.FromSeconds(8) });
        await WaitRunningAsync(marker, 2);
        await Assert.ThrowsAsync<TaskTimeoutException>(() => task.WaitAsync());
        await WaitGoneAsync(marker);
    }

    [Fact]
    public async Task Kill_reaches_children_and_frees_the_channel()
    {
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("killer", sshd.Server.Spec() with { MaxChannels = 1 });
        var marker = Marker();
        var task = session.Execute(Tree(marker));
        await WaitRunningAsync(marker, 2);
        await task.KillAsync();
        await Assert.ThrowsAsync<TaskCancelledException>(() => task.WaitAsync());
        await WaitGoneAsync(marker);

        // The only channel is free again.
        Assert.Equal(0, await session.Execute("true").WaitAsync());
    }

    [Fact]
    public async Task A_full_connection_can_still_kill()
    {
        // Every channel is busy: the kill goes over the control connection, not an 11th channel.
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("full", sshd.Server.Spec());
        var marker = Marker();
        // The timeout counts the connect and ten channel opens: long enough to see the ten commands run at load first.
        var tasks = Enumerable.Range(0, 10).Select(_ => session.Execute($"sleep 300; : {marker}", new CommandOptions { Timeout = TimeSpan.FromSeconds(12) })).ToArray();
        await WaitRunningAsync(marker, 10);
        foreach (var task in tasks)
        {
            await Assert.ThrowsAsync<TaskTimeoutException>(() => task.WaitAsync());
        }

        await WaitGoneAsync(marker);
    }

    [Fact]
    public async Task Timeout_ends_promptly_when_the_server_stops_answering()
    {
        await using var proxy = TcpProxy.Start(sshd.Server.Port);
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("hung", sshd.Server.Spec(proxy.Port) with { ConnectTimeout = TimeSpan.FromSeconds(2) });
        var marker = Marker();
        // The timeout counts the connect: long enough for the command to be seen running before it fires, at load too.
        var timeout = TimeSpan.FromSeconds(8);
        var task = session.Execute($"sleep 60; : {marker}", new CommandOptions { Timeout = timeout });
        await WaitRunningAsync(marker, 1);
        proxy.Blackhole(true);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAsync<TaskTimeoutException>(() => task.WaitAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(watch.Elapsed < timeout + TimeSpan.FromSeconds(4), $"the task ended {watch.Elapsed} after the server stopped answering (timeout {timeout})");
        await ProcessTree.KillMatchingAsync(marker);
    }

    [Fact]
    public async Task Closing_the_session_kills_its_running_remote_commands()
    {
        await using var rc = RControlSystem.Create();
        var session = rc.CreateSshSession("closing", sshd.Server.Spec());
        var marker = Marker();
        var task = session.Execute(Tree(marker));
        await WaitRunningAsync(marker, 2);

        await session.CloseAsync();
        Assert.False(task.IsRunning);
        await WaitGoneAsync(marker);
    }
}
