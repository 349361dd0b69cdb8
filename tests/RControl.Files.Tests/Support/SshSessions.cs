using Renci.SshNet;
using RControl.TestSupport;
using RControl.Transports.Files;

namespace RControl.Files.Tests.Support;

/// <summary>Sessions whose files live on a test sshd, reached over SFTP.</summary>
public static class SshSessions
{
    /// <summary>A connected SFTP client for the server (optionally through a proxy port), trusting exactly the server's host key.</summary>
    public static async Task<SftpClient> ConnectAsync(SshServer server, int? port, CancellationToken cancellationToken)
    {
        var user = server.User.Name;
        var info = new ConnectionInfo(server.Host, port ?? server.Port, user, new PrivateKeyAuthenticationMethod(user, new PrivateKeyFile(server.ClientKey.PrivateKeyFile)));
        var client = new SftpClient(info);
        var expected = Convert.FromBase64String(server.HostKey.Base64);
        client.HostKeyReceived += (_, e) => e.CanTrust = e.HostKey.AsSpan().SequenceEqual(expected);
        await client.ConnectAsync(cancellationToken);
        return client;
    }

    /// <summary>A session named <paramref name="name"/> whose file operations go to <paramref name="server"/> over SFTP.</summary>
    public static Session Create(RControlSystem rc, string name, SshServer server, int? port = null)
    {
        var session = rc.CreateLocalSession(name);
        session.FileSystem = new SftpFileSystem(ct => ConnectAsync(server, port, ct));
        return session;
    }
}
