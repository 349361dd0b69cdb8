using System.Net;
using System.Net.Sockets;

namespace RControl.TestSupport;

/// <summary>Finds free TCP ports on the loopback interface.</summary>
public static class FreePort
{
    /// <summary>A port that was free a moment ago on 127.0.0.1 (bind to port 0, read it, release it).</summary>
    public static int Get()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A port on 127.0.0.1 where nothing listens (for "connection refused" tests).</summary>
    public static int GetClosed() => Get();
}
