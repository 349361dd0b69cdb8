using System.Diagnostics.Metrics;
using RControl.Diagnostics;
using RControl.TestSupport;
using RControl.Transports.Ssh;

namespace RControl.Ssh.Tests.Diagnostics;

/// <summary>The <c>rcontrol.ssh.connections</c> gauge and <c>rcontrol.ssh.connects</c> counter against a real sshd.</summary>
public sealed class SshMetricsTests
{
    [Fact]
    public async Task Connections_are_reported_busy_while_a_channel_is_leased_then_idle()
    {
        await using var server = await SshServer.StartAsync();
        long opened = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RControlMetrics.MeterName && instrument.Name == "rcontrol.ssh.connects")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "result", Value: "opened" })
                {
                    Interlocked.Add(ref opened, value);
                }
            }
        });
        listener.Start();

        var pool = new SshConnectionPool(server.Spec(), maxChannels: 2, maxConnections: 1);
        try
        {
            Assert.Equal((0, 0, 0), pool.Counts());
            var lease = await pool.AcquireAsync(DateTime.UtcNow.AddSeconds(30), "the test's 30s", CancellationToken.None);
            Assert.Equal((0, 0, 1), pool.Counts());
            Assert.True(Interlocked.Read(ref opened) >= 1);
            Assert.True(Busy(SshConnectionStates.Observe()) >= 1);

            lease.Dispose();
            Assert.Equal((0, 1, 0), pool.Counts());
        }
        finally
        {
            await pool.DisposeAsync();
        }

        Assert.Equal((0, 0, 0), pool.Counts());
    }

    private static long Busy(IEnumerable<Measurement<long>> measurements) =>
        measurements.Single(m => m.Tags.ToArray().Any(t => t is { Key: "state", Value: "busy" })).Value;
}
