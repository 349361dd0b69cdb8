using System.Net;
using System.Net.Sockets;

namespace RControl.Remote.Tests.Support;

public static class Ports
{
    /// <summary>A TCP port free on loopback right now.</summary>
    public static int Free()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
