using RControl.Protocol;
using RControl.TestSupport;
using RControl.Transports.Ssh;

namespace RControl.Ssh.Tests.Faults;

/// <summary>Each kind of bad connection input gives its own clear error, with no secret in it.</summary>
public sealed class BadInputTests(SshdFixture sshd) : IClassFixture<SshdFixture>
{
    private const string Secret = "s3cret-Pa55-word";

    private SshServer Server => sshd.Server;

    private static async Task<T> ConnectFailsAsync<T>(SshSessionSpec spec)
        where T : Exception
    {
        var error = await Assert.ThrowsAsync<T>(async () =>
        {
            using var client = await SshConnector.ConnectAsync(spec, CancellationToken.None);
        });
        Assert.DoesNotContain(Secret, error.ToString());
        return error;
    }

    [Fact]
    public async Task Unknown_host()
    {
        var error = await ConnectFailsAsync<SshConnectException>(Server.Spec() with { Host = "no-such-host.invalid", Port = 22 });
        Assert.Equal(SshConnectFailure.UnknownHost, error.Failure);
        Assert.Contains("unknown host 'no-such-host.invalid'", error.Message);
    }

    [Fact]
    public async Task Refused_port()
    {
        var port = FreePort.GetClosed();
        var error = await ConnectFailsAsync<SshConnectException>(Server.Spec() with { Port = port });
        Assert.Equal(SshConnectFailure.Refused, error.Failure);
        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.Contains("connection refused", error.Message);
    }

    [Fact]
    public async Task Connect_timeout_when_the_server_never_answers()
    {
        await using var proxy = TcpProxy.Start(Server.Port);
        proxy.Blackhole(true);
        var error = await ConnectFailsAsync<SshConnectException>(Server.Spec(proxy.Port) with { ConnectTimeout = TimeSpan.FromSeconds(1) });
        Assert.Equal(SshConnectFailure.TimedOut, error.Failure);
    }

    [Fact]
    public async Task Wrong_key()
    {
        var stranger = await Server.CreateUnauthorizedKeyAsync();
        var error = await ConnectFailsAsync<SshAuthenticationFailedException>(Server.Spec() with { IdentityFiles = [stranger.PrivateKeyFile] });
        Assert.Equal(SshAuthenticationFailure.Rejected, error.Failure);
        Assert.Contains($"{Server.User.Name}@127.0.0.1:{Server.Port}", error.Message);
        Assert.Contains(stranger.PrivateKeyFile, error.Message);
    }

    [Fact]
    public async Task Wrong_password()
    {
        var error = await ConnectFailsAsync<SshAuthenticationFailedException>(Server.Spec() with { IdentityFiles = [], Password = Secret });
        Assert.Equal(SshAuthenticationFailure.Rejected, error.Failure);
        Assert.Contains("password", error.Message);
    }

    [Fact]
    public async Task Right_password_logs_in()
    {
        Assert.True(TestUser.IsRoot, "password login needs the dedicated test user (run as root, as CI does)");
        using var client = await SshConnector.ConnectAsync(Server.Spec() with { IdentityFiles = [], Password = Server.User.Password }, CancellationToken.None);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Keyboard_interactive_answers_with_the_password()
    {
        Assert.True(TestUser.IsRoot, "keyboard-interactive needs PAM and the dedicated test user (run as root, as CI does)");
        await using var server = await SshServer.StartAsync(new SshServerOptions { ExtraConfig = ["PasswordAuthentication no", "AuthenticationMethods keyboard-interactive"] });
        using var client = await SshConnector.ConnectAsync(server.Spec() with { IdentityFiles = [], Password = server.User.Password }, CancellationToken.None);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Key_needing_a_passphrase_without_one()
    {
        var key = await Server.AddClientKeyAsync("ed25519", Secret);
        var error = await ConnectFailsAsync<SshAuthenticationFailedException>(Server.Spec() with { IdentityFiles = [key.PrivateKeyFile] });
        Assert.Equal(SshAuthenticationFailure.PassphraseMissing, error.Failure);
        Assert.Contains(key.PrivateKeyFile, error.Message);
        Assert.Contains("passphrase", error.Message);
    }

    [Fact]
    public async Task Key_with_a_wrong_passphrase()
    {
        var key = await Server.AddClientKeyAsync("ecdsa", "the-right-one");
        var error = await ConnectFailsAsync<SshAuthenticationFailedException>(Server.Spec() with { IdentityFiles = [key.PrivateKeyFile], Passphrase = Secret });
        Assert.Equal(SshAuthenticationFailure.WrongPassphrase, error.Failure);
    }

    [Fact]
    public async Task Missing_identity_file()
    {
        var error = await ConnectFailsAsync<SshAuthenticationFailedException>(Server.Spec() with { IdentityFiles = ["/no/such/key"] });
        Assert.Equal(SshAuthenticationFailure.BadIdentityFile, error.Failure);
        Assert.Contains("/no/such/key", error.Message);
    }

    [Theory]
    [InlineData("ed25519", null)]
    [InlineData("ecdsa", null)]
    [InlineData("rsa", null)]
    [InlineData("ed25519", Secret)]
    [InlineData("rsa", Secret)]
    public async Task OpenSsh_keys_of_each_type_with_and_without_passphrase_log_in(string type, string? passphrase)
    {
        var key = await Server.AddClientKeyAsync(type, passphrase);
        using var client = await SshConnector.ConnectAsync(Server.Spec() with { IdentityFiles = [key.PrivateKeyFile], Passphrase = passphrase }, CancellationToken.None);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task A_task_on_an_unreachable_host_fails_with_the_connect_error()
    {
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("nowhere", Server.Spec() with { Port = FreePort.GetClosed(), Password = Secret });
        var task = session.Execute("true");
        var error = await Assert.ThrowsAsync<TaskException>(() => task.WaitAsync());
        Assert.Contains("connection refused", error.Message);
        Assert.DoesNotContain(Secret, error.ToString());
        await Assert.ThrowsAsync<SshConnectException>(() => session.CheckConnectionAsync());
    }

    [Fact]
    public void Secrets_never_appear_in_ToString()
    {
        var spec = Server.Spec() with { Password = Secret, Passphrase = Secret + "2" };
        Assert.DoesNotContain(Secret, spec.ToString());
        Assert.Contains("***", spec.ToString());
    }
}
