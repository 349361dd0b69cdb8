using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace RControl.TestSupport;

/// <summary>Finds free TCP ports on the loopback interface.</summary>
public static class FreePort
{
    // Below Linux's ephemeral range (32768-60999): a port handed out here is never taken meanwhile by the
    // local end of some outgoing connection (SSH, Akka.Remote clients), which a port-0 pick can be.
    private const int First = 20000;
    private const int Last = 32767;

    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();

    /// <summary>A port that was free a moment ago on 127.0.0.1, never handed out before by this process.</summary>
    public static int Get()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(First, Last + 1);
            if (HandedOut.TryAdd(port, true) && IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free port on 127.0.0.1 between {First} and {Last}");
    }

    /// <summary>A port on 127.0.0.1 where nothing listens (for "connection refused" tests).</summary>
    public static int GetClosed() => Get();

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
