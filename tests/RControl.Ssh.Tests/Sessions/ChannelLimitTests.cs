using RControl.TestSupport;

namespace RControl.Ssh.Tests.Sessions;

/// <summary>Commands beyond the server's MaxSessions wait in the session (in order) instead of failing.</summary>
public sealed class ChannelLimitTests(SshdFixture sshd) : IClassFixture<SshdFixture>
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Sixty_concurrent_commands_on_a_default_sshd_all_succeed(int maxConnections)
    {
        var loginsBefore = Logins();
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("fan", sshd.Server.Spec() with { MaxConnections = maxConnections });
        var outputs = new System.Collections.Concurrent.ConcurrentDictionary<int, List<string>>();
        var tasks = Enumerable.Range(0, 60).Select(i =>
        {
            outputs[i] = new List<string>();
            return session.Execute($"sleep 1; echo done {i}; exit {i % 5}", new CommandOptions
            {
                ExpectedExitCode = i % 5,
                OnStdout = (_, line) => outputs[i].Add(line),
            });
        }).ToArray();

        var codes = await Task.WhenAll(tasks.Select(t => t.WaitAsync()));
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (int?)(i % 5)), codes);
        foreach (var (i, lines) in outputs)
        {
            Assert.Equal([$"done {i}"], lines);
        }

        Assert.Empty(await session.WaitForTasksAsync());
        // Extra connections are opened on demand, never more than allowed.
        Assert.Equal(maxConnections, Logins() - loginsBefore);
    }

    private int Logins() => sshd.Server.Log.Split('\n').Count(l => l.StartsWith("Accepted publickey", StringComparison.Ordinal));

    [Fact]
    public async Task Commands_beyond_a_small_server_limit_wait_and_never_exceed_it()
    {
        // Three channels: the connection's guardian and two commands.
        await using var server = await SshServer.StartAsync(new SshServerOptions { MaxSessions = 3 });
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("limited", server.Spec() with { MaxChannels = 3, MaxConnections = 1 });
        var log = Path.Combine(Path.GetTempPath(), $"rc-limit-{Guid.NewGuid():N}.log");
        var tasks = Enumerable.Range(0, 12).Select(i => session.Execute($"echo + >> {log}; sleep 0.2; echo - >> {log}")).ToArray();
        await Task.WhenAll(tasks.Select(t => t.WaitAsync()));

        var events = await File.ReadAllLinesAsync(log);
        File.Delete(log);
        Assert.Equal(24, events.Length);
        int running = 0, most = 0;
        foreach (var e in events)
        {
            running += e == "+" ? 1 : -1;
            most = Math.Max(most, running);
        }

        Assert.Equal(2, most);
    }

    [Fact]
    public async Task Queued_commands_start_in_the_order_they_were_executed()
    {
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("ordered", sshd.Server.Spec() with { MaxChannels = 1, MaxConnections = 1 });
        var log = Path.Combine(Path.GetTempPath(), $"rc-order-{Guid.NewGuid():N}.log");
        var tasks = Enumerable.Range(0, 15).Select(i => session.Execute($"echo {i} >> {log}")).ToArray();
        await Task.WhenAll(tasks.Select(t => t.WaitAsync()));

        var started = (await File.ReadAllLinesAsync(log)).Select(int.Parse).ToArray();
        File.Delete(log);
        Assert.Equal(Enumerable.Range(0, 15), started);
    }

    [Fact]
    public async Task A_spec_allowing_more_channels_than_the_server_learns_the_servers_limit_and_runs_every_command()
    {
        // The guardian takes the first of the two channels the server allows; a second command's channel is one too
        // many: it is refused, the connection is taken to allow one command channel, and the refused command waits for it.
        await using var server = await SshServer.StartAsync(new SshServerOptions { MaxSessions = 2 });
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("over", server.Spec() with { MaxChannels = 3, MaxConnections = 1 });
        var log = Path.Combine(Path.GetTempPath(), $"rc-over-{Guid.NewGuid():N}.log");
        var tasks = Enumerable.Range(0, 4).Select(i => session.Execute($"echo + >> {log}; sleep 0.2; echo - >> {log}; exit {i}", new CommandOptions { ExpectedExitCode = i })).ToArray();

        Assert.Equal([0, 1, 2, 3], (await Task.WhenAll(tasks.Select(t => t.WaitAsync()))).Select(c => c ?? -1));
        Assert.Empty(await session.WaitForTasksAsync(raiseIfError: false));
        var events = await File.ReadAllLinesAsync(log);
        File.Delete(log);
        Assert.Equal(8, events.Length);
        Assert.Equal(string.Concat(Enumerable.Repeat("+-", 4)), string.Concat(events));
    }

    [Theory]
    [InlineData(1, 1)] // the guardian gives its one channel up: commands watch for themselves
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(10, 9)]
    public async Task The_learned_limit_runs_as_many_commands_at_once_as_the_server_allows_next_to_the_guardian(int maxSessions, int atOnce)
    {
        await using var server = await SshServer.StartAsync(new SshServerOptions { MaxSessions = maxSessions });
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("learn", server.Spec() with { MaxChannels = maxSessions + 5, MaxConnections = 1 });
        var prefix = Path.Combine(Path.GetTempPath(), $"rc-learn-{Guid.NewGuid():N}");
        try
        {
            // Each wave's first commands hold until their gate opens: exactly as many run as the connection allows. Then a
            // burst of short commands follows them, each starting while sshd is still closing the channel of the one
            // before: that must neither lower the limit the next wave meets nor end the guardian.
            var registrations = new List<string>();
            for (var wave = 0; wave < 3; wave++)
            {
                var log = $"{prefix}.log{wave}";
                var gate = $"{prefix}.gate{wave}";
                var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
                var held = Enumerable.Range(0, atOnce)
                    .Select(_ => session.Execute(
                        $"echo + >> {log}; readlink /proc/$$/fd/7 || echo none; until [ -e {gate} ]; do sleep 0.05; done; echo - >> {log}",
                        new CommandOptions { OnStdout = (_, l) => lines.Enqueue(l) }))
                    .ToArray();
                var burst = Enumerable.Range(0, 4 * atOnce + 4).Select(_ => session.Execute("true")).ToArray();
                await Poll.UntilAsync(() => Started(log) == atOnce, TimeSpan.FromSeconds(30), $"wave {wave}: {atOnce} commands running at once");
                await File.WriteAllTextAsync(gate, "");
                await Task.WhenAll(held.Concat(burst).Select(t => t.WaitAsync()));
                registrations = [.. lines];
            }

            // The last wave's commands: registered with the guardian, unless the server has no channel to spare for it.
            Assert.Equal(atOnce, registrations.Count);
            Assert.All(registrations, r => Assert.Equal(maxSessions > 1, r.StartsWith("/dev/shm/rcontrol-g.", StringComparison.Ordinal)));
            Assert.Empty(await session.WaitForTasksAsync());
        }
        finally
        {
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(prefix)!, Path.GetFileName(prefix) + ".*"))
            {
                File.Delete(file);
            }
        }
    }

    private static int Started(string log) =>
        File.Exists(log) ? File.ReadAllLines(log).Count(l => l == "+") : 0;

    [Fact]
    public async Task A_server_that_refuses_every_channel_fails_the_command_saying_so()
    {
        await using var server = await SshServer.StartAsync(new SshServerOptions { MaxSessions = 0 });
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("none", server.Spec() with { MaxConnections = 1 });

        var error = await Assert.ThrowsAsync<TaskException>(() => session.Execute("true").WaitAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("cannot start command", error.Message);
        Assert.Contains("the server refused to open a channel", error.Message);
    }
}
