using RControl.TestSupport;

namespace RControl.Ssh.Tests.Sessions;

/// <summary>Several sshd instances stand in for several hosts under one session manager.</summary>
public sealed class SeveralHostsTests
{
    [Fact]
    public async Task A_session_manager_waits_across_hosts_and_collects_every_error()
    {
        var servers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SshServer.StartAsync()));
        try
        {
            await using var rc = RControlSystem.Create();
            await using var manager = rc.CreateSessionManager();
            for (var i = 0; i < servers.Length; i++)
            {
                var session = rc.CreateSshSession($"host{i}", servers[i].Spec());
                await session.CheckConnectionAsync();
                manager.Add(session);
            }

            var seen = new System.Collections.Concurrent.ConcurrentBag<string>();
            foreach (var name in manager.Names)
            {
                // Each host's callback starts a follow-up on the next host: the manager waits for those too.
                var next = manager[$"host{(int.Parse(name[4..]) + 1) % servers.Length}"];
                _ = manager[name].Execute($"echo {name}", new CommandOptions
                {
                    OnStdout = (_, line) => seen.Add(line),
                    OnFinished = _ => next.Execute($"echo after-{name}; exit 4", new CommandOptions { OnStdout = (_, line) => seen.Add(line) }),
                });
            }

            var errors = await manager.WaitForTasksAsync(raiseIfError: false);
            Assert.Equal(3, errors.Count);
            Assert.All(errors, e => Assert.IsType<ExitCodeException>(e));
            Assert.Equal(["after-host0", "after-host1", "after-host2", "host0", "host1", "host2"], seen.Order());
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }
}
