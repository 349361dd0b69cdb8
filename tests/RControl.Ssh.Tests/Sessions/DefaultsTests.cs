using RControl.TestSupport;

namespace RControl.Ssh.Tests.Sessions;

/// <summary>Default settings use what a default sshd allows (MaxSessions 10) without queueing what could run.</summary>
public sealed class DefaultsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sixty_commands_run_at_once_on_seven_connections_with_the_defaults()
    {
        await using var server = await SshServer.StartAsync();
        await using var proxy = TcpProxy.Start(server.Port);
        await using var rc = RControlSystem.Create();
        var session = rc.CreateSshSession("wide", server.Spec(proxy.Port));
        Assert.Equal(10, session.Spec.MaxChannels);
        Assert.Equal(8, session.Spec.MaxConnections);
        var sleep = new SleepMarker();
        try
        {
            var tasks = Enumerable.Range(0, 60).Select(_ => session.Execute(sleep.Command)).ToArray();

            // All sixty run at the same time (one wave), on 60 / 9 connections (each connection's tenth channel holds
            // its guardian): no more were opened.
            await sleep.WaitSleepingAsync(60, Bound);
            Assert.Equal(7, proxy.AcceptedConnections);
            Assert.All(tasks, t => Assert.True(t.IsRunning));

            await session.CloseAsync();
            await sleep.WaitGoneAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            await sleep.KillLeftAsync();
        }
    }
}
