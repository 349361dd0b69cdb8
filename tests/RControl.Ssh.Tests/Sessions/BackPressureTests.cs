using RControl.TestSupport;

namespace RControl.Ssh.Tests.Sessions;

/// <summary>A flood over SSH into a slow callback: memory stays bounded, nothing is lost, the connection survives.</summary>
public sealed class BackPressureTests
{
    [Fact]
    public async Task A_flood_into_a_slow_callback_keeps_memory_bounded_and_loses_no_line()
    {
        await using var server = await SshServer.StartAsync();
        await using var rc = RControlSystem.Create();
        // A short keep-alive: the probe must not mistake the deliberate pause for a dead connection.
        await using var session = rc.CreateSshSession("flood", server.Spec() with { KeepAlive = TimeSpan.FromSeconds(1) });
        await session.CheckConnectionAsync();

        using var memory = new PeakWorkingSet();

        // 2 M lines of 101 bytes (200 MB); the callback pauses 1 ms every 250 lines, so it reads ~25 MB/s while
        // sshd sends several times faster.
        long count = 0;
        await session.Execute("yes 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 | head -n 2000000", new CommandOptions
        {
            OnStdout = (_, line) =>
            {
                if (line.Length != 100)
                {
                    throw new InvalidOperationException("bad line");
                }

                if (++count % 250 == 0)
                {
                    Thread.Sleep(1);
                }
            },
        }).WaitAsync();

        Assert.Equal(2_000_000, count);
        var growth = memory.GrowthMiB;
        // Without the sink's high watermark most of the 200 MB would queue in memory.
        Assert.True(growth < 100, $"working set grew by {growth} MiB");
        Assert.Equal(0, await session.Execute("true").WaitAsync());
    }
}
