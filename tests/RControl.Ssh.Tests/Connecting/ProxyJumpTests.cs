using RControl.Protocol;
using RControl.TestSupport;

namespace RControl.Ssh.Tests.Connecting;

/// <summary>ProxyJump through a second sshd (a bastion) by user@host:port, by session name and from ssh_config.</summary>
public sealed class ProxyJumpTests : IAsyncLifetime
{
    private SshServer _bastion = null!;
    private SshServer _target = null!;
    private TcpProxy _bastionProxy = null!;

    public async Task InitializeAsync()
    {
        _bastion = await SshServer.StartAsync();
        _target = await SshServer.StartAsync();
        // The bastion sits behind a proxy so the tests can see (and cut) traffic going through it.
        _bastionProxy = TcpProxy.Start(_bastion.Port);
        // The jump inherits the target spec's key and known_hosts: authorize the key there and list the bastion.
        await File.AppendAllTextAsync(_bastion.AuthorizedKeysFile, _target.ClientKey.PublicKeyLine + "\n");
        await File.AppendAllLinesAsync(_target.KnownHostsFile, _bastion.KnownHostsLines(_bastionProxy.Port));
    }

    public async Task DisposeAsync()
    {
        await _bastionProxy.DisposeAsync();
        await _target.DisposeAsync();
        await _bastion.DisposeAsync();
    }

    private async Task<List<string>> RunAsync(SshSessionSpec spec)
    {
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("behind-bastion", spec);
        var lines = new List<string>();
        Assert.Equal(0, await session.Execute("echo via-jump; id -un", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync());
        return lines;
    }

    [Fact]
    public async Task Jumps_through_user_at_host_port()
    {
        var lines = await RunAsync(_target.Spec() with { ProxyJump = $"{_bastion.User.Name}@127.0.0.1:{_bastionProxy.Port}" });
        Assert.Equal(["via-jump", _target.User.Name], lines);
        Assert.Equal(1, _bastionProxy.AcceptedConnections);
    }

    [Fact]
    public async Task Jumps_through_a_named_session_and_fails_clearly_when_the_jump_host_is_down()
    {
        var bastion = _bastion.Spec(_bastionProxy.Port);
        var spec = _target.Spec() with { ProxyJump = "bastion", JumpHosts = new Dictionary<string, SshSessionSpec> { ["bastion"] = bastion } };
        Assert.Equal(["via-jump", _target.User.Name], await RunAsync(spec));
        Assert.True(_bastionProxy.AcceptedConnections >= 1);

        _bastionProxy.RefuseNew(true);
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("behind-down-bastion", spec);
        var error = await Assert.ThrowsAsync<TaskException>(() => session.Execute("true").WaitAsync());
        Assert.Contains("through jump host 127.0.0.1", error.Message);
    }

    [Fact]
    public async Task Jumps_through_an_ssh_config_proxy_jump()
    {
        var config = Path.Combine(_target.Directory, "jump_config");
        await File.WriteAllTextAsync(config, $"""
            Host target
                HostName 127.0.0.1
                Port {_target.Port}
                User {_target.User.Name}
                IdentityFile {_target.ClientKey.PrivateKeyFile}
                ProxyJump bastion
            Host bastion
                HostName 127.0.0.1
                Port {_bastionProxy.Port}
                User {_bastion.User.Name}
            """);
        var lines = await RunAsync(new SshSessionSpec("target") { SshConfigFile = config, KnownHostsFile = _target.KnownHostsFile });
        Assert.Equal(["via-jump", _target.User.Name], lines);
        Assert.Equal(1, _bastionProxy.AcceptedConnections);
    }

    [Fact]
    public async Task A_jump_host_with_an_unknown_key_is_refused_naming_the_jump_host()
    {
        var knownHosts = Path.Combine(_target.Directory, $"only_target_{Guid.NewGuid():N}");
        await File.WriteAllLinesAsync(knownHosts, _target.KnownHostsLines());
        var spec = _target.Spec() with { KnownHostsFile = knownHosts, ProxyJump = $"{_bastion.User.Name}@127.0.0.1:{_bastionProxy.Port}" };
        var error = await Assert.ThrowsAsync<HostKeyVerificationException>(() => Transports.Ssh.SshConnector.ConnectAsync(spec, CancellationToken.None));
        Assert.Equal(_bastionProxy.Port, error.Port);
        Assert.Equal(_bastion.HostKey.Fingerprint, error.Fingerprint);
    }

    [Fact]
    public async Task Cutting_the_jump_connection_fails_the_running_command()
    {
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("cut-jump", _target.Spec() with { ProxyJump = $"{_bastion.User.Name}@127.0.0.1:{_bastionProxy.Port}" });
        var marker = $"rc-jump-{Guid.NewGuid():N}";
        var task = session.Execute($"sleep 30; : {marker}");
        await Poll.UntilAsync(async () => (await ProcessRunner.PgrepAsync(marker)).Count >= 1, TimeSpan.FromSeconds(15), "the command behind the jump host");
        _bastionProxy.CutAll();
        var error = await Assert.ThrowsAsync<TaskException>(() => task.WaitAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("connection lost", error.Message);
        await ProcessTree.KillMatchingAsync(marker);
    }
}
