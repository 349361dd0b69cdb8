using RControl.TestSupport;

namespace RControl.Files.Tests.Support;

/// <summary>Real SSH sessions on a test sshd: their file operations go over SFTP.</summary>
public static class SshSessions
{
    /// <summary>An SSH session named <paramref name="name"/> on <paramref name="server"/> (optionally through a proxy port).</summary>
    public static Session Create(RControlSystem rc, string name, SshServer server, int? port = null)
    {
        var session = rc.CreateSession(name, server.Spec(port));
        Assert.IsType<SshSession>(session);
        return session;
    }
}
