using Renci.SshNet;

namespace RControl.Transports.Ssh;

/// <summary>One connected SSH client in a pool, with the number of channels it has open.</summary>
internal sealed class SshConnection : IDisposable
{
    private int _dead;

    public SshConnection(SshClient client, int id)
    {
        Client = client;
        Id = id;
        client.ErrorOccurred += (_, e) =>
        {
            LastError = e.Exception;
            MarkDead();
        };
    }

    public SshClient Client { get; }

    public int Id { get; }

    /// <summary>Channels open (or reserved) on this connection. Guarded by the pool's lock.</summary>
    public int ActiveChannels { get; set; }

    /// <summary>The error that ended the connection, if any.</summary>
    public Exception? LastError { get; private set; }

    public bool IsAlive => Volatile.Read(ref _dead) == 0 && Client.IsConnected;

    public void MarkDead() => Interlocked.Exchange(ref _dead, 1);

    public void Dispose()
    {
        MarkDead();
        try
        {
            Client.Dispose();
        }
        catch (Exception)
        {
            // Disposing a broken connection may throw; it is gone either way.
        }
    }
}
