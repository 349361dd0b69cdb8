using RControl.TestSupport;
using RControl.Transports.Ssh;

namespace RControl.Ssh.Tests.Connecting;

/// <summary>The connector used by commands and by SFTP: same rules, fast key exchange first.</summary>
public sealed class ConnectorTests
{
    [Fact]
    public async Task Sftp_connects_with_the_same_auth_and_host_key_rules()
    {
        await using var server = await SshServer.StartAsync();
        using var sftp = await SshConnector.ConnectSftpAsync(server.Spec(), CancellationToken.None);
        Assert.True(sftp.IsConnected);
        Assert.Equal(server.User.Home, sftp.WorkingDirectory);

        var strict = server.Spec() with { KnownHostsFile = Path.Combine(server.Directory, "no_known_hosts") };
        await Assert.ThrowsAsync<HostKeyVerificationException>(() => SshConnector.ConnectSftpAsync(strict, CancellationToken.None));
    }

    [Fact]
    public async Task Curve25519_is_negotiated_by_default_and_a_named_algorithm_when_asked()
    {
        await using var server = await SshServer.StartAsync(new SshServerOptions { ExtraConfig = ["LogLevel DEBUG1"] });
        using (await SshConnector.ConnectAsync(server.Spec(), CancellationToken.None))
        {
        }

        await Poll.UntilAsync(() => server.Log.Contains("kex: algorithm: "), TimeSpan.FromSeconds(10), "the key exchange in the sshd log");
        Assert.Contains("kex: algorithm: curve25519-sha256", server.Log);

        using (await SshConnector.ConnectAsync(server.Spec() with { KeyExchangeAlgorithms = ["ecdh-sha2-nistp256"] }, CancellationToken.None))
        {
        }

        await Poll.UntilAsync(() => server.Log.Contains("kex: algorithm: ecdh-sha2-nistp256"), TimeSpan.FromSeconds(10), "the named key exchange in the sshd log");
    }
}
