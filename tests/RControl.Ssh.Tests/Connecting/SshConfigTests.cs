using RControl.Protocol;
using RControl.TestSupport;
using RControl.Transports.Ssh;

namespace RControl.Ssh.Tests.Connecting;

/// <summary>Host aliases from an ssh_config file (a test file, never the real ~/.ssh/config).</summary>
public sealed class SshConfigTests(SshdFixture sshd) : IClassFixture<SshdFixture>, IDisposable
{
    private readonly TempDir _dir = new();

    private SshServer Server => sshd.Server;

    public void Dispose() => _dir.Dispose();

    private string Config(string text)
    {
        var path = _dir.PathOf($"config-{Guid.NewGuid():N}");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task An_alias_gives_host_name_port_user_and_identity_file()
    {
        var config = Config($"""
            # a test ssh_config
            Host unrelated
                HostName 10.0.0.1
                Port 2222

            Host web1 web1.example
                HostName 127.0.0.1
                Port {Server.Port}
                User {Server.User.Name}
                IdentityFile {Server.ClientKey.PrivateKeyFile}

            Host *
                User somebody-else
                Port 1
            """);
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("web1", new SshSessionSpec("web1") { SshConfigFile = config, KnownHostsFile = Server.KnownHostsFile });
        var lines = new List<string>();
        Assert.Equal(0, await session.Execute("id -un", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync());
        Assert.Equal([Server.User.Name], lines);
    }

    [Fact]
    public void Explicit_spec_values_win_over_the_config_and_first_match_wins()
    {
        var config = Config("""
            Host db*
                HostName %h.internal
                User admin
                IdentityFile ~/.ssh/db_key
                ProxyJump bastion:2200
            Host !dbx db2
                Port 2202
            Host *
                Port 22
                User fallback
                IdentityFile /keys/all
            """);
        var target = SshTarget.Resolve(new SshSessionSpec("db2") { SshConfigFile = config, User = "me" });
        Assert.Equal("db2.internal", target.Host);
        Assert.Equal(2202, target.Port);
        Assert.Equal("me", target.User);
        Assert.Equal([Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh/db_key"), "/keys/all"], target.IdentityFiles);
        Assert.NotNull(target.Jump);
        Assert.Equal("bastion", target.Jump!.Host);
        Assert.Equal(2200, target.Jump.Port);

        var plain = SshTarget.Resolve(new SshSessionSpec("other") { SshConfigFile = config });
        Assert.Equal("other", plain.Host);
        Assert.Equal(22, plain.Port);
        Assert.Equal("fallback", plain.User);
        Assert.Null(plain.Jump);
    }

    [Fact]
    public void A_missing_config_file_means_no_aliases()
    {
        var target = SshTarget.Resolve(new SshSessionSpec("host9") { SshConfigFile = _dir.PathOf("absent"), Port = 2022, User = "u" });
        Assert.Equal(("host9", 2022, "u"), (target.Host, target.Port, target.User));
    }

    [Fact]
    public void Inventory_hocon_builds_an_ssh_session()
    {
        var inventory = Configuration.Inventory.Parse($$"""
            sessions {
              web1 {
                type = ssh
                host = "127.0.0.1"
                port = {{Server.Port}}
                user = {{Server.User.Name}}
                identity-files = ["{{Server.ClientKey.PrivateKeyFile}}"]
                known-hosts = "{{Server.KnownHostsFile}}"
                host-key-policy = strict
                max-channels = 4
                max-connections = 2
              }
            }
            """);
        var spec = Assert.IsType<SshSessionSpec>(inventory.Sessions["web1"]);
        // Four channels per connection, one of them the connection's guardian: three commands each.
        Assert.Equal(6, new SshTransport(spec).MaxConcurrentCommands);
    }
}
