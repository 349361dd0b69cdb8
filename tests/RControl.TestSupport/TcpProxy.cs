using System.Net;
using System.Net.Sockets;

namespace RControl.TestSupport;

/// <summary>
/// An in-test TCP proxy on a free loopback port that forwards to a target, for fault tests: it can cut every
/// open connection (<see cref="CutAll"/>), stop forwarding bytes while keeping sockets open so the peer
/// looks dead (<see cref="Blackhole"/>), and refuse new connections.
/// </summary>
/// <example><code>
/// await using var proxy = TcpProxy.Start(server.Port);
/// var spec = server.Spec() with { Port = proxy.Port };   // known_hosts holds [127.0.0.1]:server.Port, see SshServer.Spec
/// proxy.CutAll();
/// </code></example>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(TcpClient Client, TcpClient Upstream)> _connections = new();
    private readonly Task _acceptLoop;
    private volatile bool _blackhole;
    private volatile bool _refuse;
    private int _accepted;

    private TcpProxy(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The port the proxy listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>How many connections the proxy has accepted so far (refused ones included).</summary>
    public int AcceptedConnections => Volatile.Read(ref _accepted);

    /// <summary>How many connections are open now.</summary>
    public int OpenConnections
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>Starts a proxy to <c>127.0.0.1:<paramref name="targetPort"/></c>.</summary>
    public static TcpProxy Start(int targetPort) => new(new IPEndPoint(IPAddress.Loopback, targetPort));

    /// <summary>Closes every open connection at once (both sides see a reset/EOF). New connections are still accepted.</summary>
    public void CutAll()
    {
        (TcpClient, TcpClient)[] open;
        lock (_connections)
        {
            open = _connections.ToArray();
            _connections.Clear();
        }

        foreach (var (client, upstream) in open)
        {
            Close(client);
            Close(upstream);
        }
    }

    /// <summary>Stops (true) or resumes (false) forwarding bytes without closing sockets: the peer looks hung.</summary>
    public void Blackhole(bool on) => _blackhole = on;

    /// <summary>Refuse (close at once) new connections while true.</summary>
    public void RefuseNew(bool on) => _refuse = on;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            Interlocked.Increment(ref _accepted);
            if (_refuse)
            {
                Close(client);
                continue;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var upstream = new TcpClient { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await upstream.ConnectAsync(_target, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            Close(client);
            Close(upstream);
            return;
        }

        lock (_connections)
        {
            _connections.Add((client, upstream));
        }

        await Task.WhenAny(PumpAsync(client, upstream), PumpAsync(upstream, client)).ConfigureAwait(false);
        lock (_connections)
        {
            _connections.Remove((client, upstream));
        }

        Close(client);
        Close(upstream);
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var source = from.GetStream();
            var sink = to.GetStream();
            while (true)
            {
                var read = await source.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                if (_blackhole)
                {
                    // Swallow traffic while blackholed: nothing reaches the other side, sockets stay open.
                    continue;
                }

                await sink.WriteAsync(buffer.AsMemory(0, read), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // A cut or closed socket ends the pump.
        }
    }

    private static void Close(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Close();
        }
        catch (Exception)
        {
        }
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        CutAll();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
    }
}
