using RControl.TestSupport;

namespace RControl.Ssh.Tests.Connecting;

/// <summary>
/// Connecting is patient and honest: transient failures are retried within the command's budget, a failure is
/// reported as what it was (never as a timeout of the command), and a dead pooled connection is replaced.
/// </summary>
public sealed class ConnectPatienceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_refused_connect_is_retried_and_the_command_runs_once_sshd_listens_again()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        proxy.RefuseNew(true);
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("patient", server.Spec(proxy.Port));
        var lines = new List<string>();

        var task = session.Execute("echo back", new CommandOptions { OnStdout = (_, l) => lines.Add(l) });
        await Poll.UntilAsync(() => proxy.AcceptedConnections >= 2, Bound, "a second connect attempt");
        Assert.True(task.IsRunning);
        proxy.RefuseNew(false);

        Assert.Equal(0, await task.WaitAsync().WaitAsync(Bound));
        Assert.Equal(["back"], lines);
    }

    [Fact]
    public async Task The_first_command_after_sshd_is_back_does_not_fail_because_of_the_backoff()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        proxy.RefuseNew(true);
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("back", server.Spec(proxy.Port) with { ConnectBudget = TimeSpan.FromSeconds(3) });

        var refused = await Assert.ThrowsAsync<TaskException>(() => session.Execute("true").WaitAsync().WaitAsync(Bound));
        Assert.Contains("closed the connection during the handshake", refused.Message);

        // Right after a failure the session is backing off: the next command waits for the next attempt, it does not fail.
        proxy.RefuseNew(false);
        Assert.Equal(0, await session.Execute("true").WaitAsync().WaitAsync(Bound));
    }

    [Fact]
    public async Task A_refused_port_is_reported_as_refused_before_the_command_timeout()
    {
        await using var rc = RControlSystem.Create();
        await using var server = await SshServer.StartAsync();
        await using var session = rc.CreateSshSession("refused", server.Spec() with { Port = FreePort.GetClosed() });

        var error = await Assert.ThrowsAsync<TaskException>(() => session.Execute("true", new CommandOptions { Timeout = TimeSpan.FromSeconds(2) }).WaitAsync().WaitAsync(Bound));

        Assert.IsNotType<TaskTimeoutException>(error);
        Assert.True(error.Message.Contains("connection refused", StringComparison.Ordinal), error.Message);
    }

    [Fact]
    public async Task A_host_that_does_not_answer_is_reported_as_a_connect_timeout_not_a_command_timeout()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        proxy.Blackhole(true);
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("silent", server.Spec(proxy.Port));

        var error = await Assert.ThrowsAsync<TaskException>(() => session.Execute("true", new CommandOptions { Timeout = TimeSpan.FromSeconds(2) }).WaitAsync().WaitAsync(Bound));

        Assert.IsNotType<TaskTimeoutException>(error);
        Assert.Contains("cannot connect", error.Message);
        Assert.Contains("not connected within", error.Message);
        Assert.Contains("the command's 2s timeout", error.Message);
    }

    [Fact]
    public async Task An_authentication_failure_is_reported_at_once_without_retrying()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        var stranger = await server.CreateUnauthorizedKeyAsync();
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("stranger", server.Spec(proxy.Port) with { IdentityFiles = [stranger.PrivateKeyFile] });

        var errors = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Assert.ThrowsAsync<TaskException>(() => session.Execute("true").WaitAsync().WaitAsync(Bound))));

        Assert.All(errors, e => Assert.Contains("authentication failed", e.Message));
        Assert.Equal(1, proxy.AcceptedConnections);
    }

    [Fact]
    public async Task A_dead_pooled_connection_is_replaced_before_use()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("pooled", server.Spec(proxy.Port));
        Assert.Equal(0, await session.Execute("true").WaitAsync().WaitAsync(Bound));

        // The idle connection dies; the next command must not be handed the dead one.
        proxy.CutAll();
        Assert.Equal(0, await session.Execute("true").WaitAsync().WaitAsync(Bound));
        Assert.Equal(2, proxy.AcceptedConnections);
    }
}
