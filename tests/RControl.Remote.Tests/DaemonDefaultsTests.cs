using System.Globalization;
using RControl.Remote.Tests.Support;

namespace RControl.Remote.Tests;

/// <summary>
/// The daemon's documented defaults, checked on the host: with no hostname configured its Akka.Remote endpoint and its
/// metrics endpoint listen on 127.0.0.1 only (read from <c>/proc/net/tcp</c> and <c>tcp6</c>, IPv4-mapped addresses as IPv4), never on every interface.
/// </summary>
public sealed class DaemonDefaultsTests
{
    [Fact]
    public async Task Without_a_hostname_the_daemon_and_its_metrics_endpoint_listen_on_loopback_only()
    {
        var metricsPort = Ports.Free();
        await using var daemon = await DaemonProcess.StartReadyAsync($$"""
            akka.remote.dot-netty.tcp.port = {port}
            rcontrol.sessions { local { type = local } }
            rcontrol.daemon.metrics.prometheus { enabled = on, port = {{metricsPort}} }
            """);
        await daemon.WaitForOutputAsync("metrics: Prometheus endpoint on", TimeSpan.FromSeconds(10));
        Assert.Contains($"RControl daemon listening on akka.ssl.tcp://rcontrol@127.0.0.1:{daemon.Port}", daemon.Output);

        Assert.Equal(["127.0.0.1"], Listeners(daemon.Port));
        Assert.Equal(["127.0.0.1"], Listeners(metricsPort));
    }

    /// <summary>The local addresses of the sockets listening on a TCP port (IPv4 and IPv6), from /proc.</summary>
    private static string[] Listeners(int port)
    {
        var found = new List<string>();
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                const string listen = "0A";
                if (fields[3] == listen && int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                {
                    found.Add(Address(local[0]));
                }
            }
        }

        return found.Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>/proc's hex address (network order per 32-bit word, in host byte order) as text.</summary>
    private static string Address(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        for (var i = 0; i < bytes.Length; i += 4)
        {
            Array.Reverse(bytes, i, 4);
        }

        var address = new System.Net.IPAddress(bytes);
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString(); // a dual-mode socket on ::ffff:127.0.0.1 is loopback too
    }
}
