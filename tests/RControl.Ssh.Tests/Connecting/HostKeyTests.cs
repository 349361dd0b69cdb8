using RControl.Protocol;
using RControl.TestSupport;
using RControl.Transports.Ssh;

namespace RControl.Ssh.Tests.Connecting;

/// <summary>Host keys are checked against known_hosts: strict, accept-new, insecure-accept-any; a changed key is never accepted.</summary>
public sealed class HostKeyTests(SshdFixture sshd) : IClassFixture<SshdFixture>, IDisposable
{
    private readonly TempDir _dir = new();

    private SshServer Server => sshd.Server;

    public void Dispose() => _dir.Dispose();

    private string KnownHosts(params string[] lines)
    {
        var path = _dir.PathOf($"known_hosts-{Guid.NewGuid():N}");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static async Task ConnectAsync(SshSessionSpec spec)
    {
        using var client = await SshConnector.ConnectAsync(spec, CancellationToken.None);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Strict_refuses_an_unknown_host_naming_host_and_fingerprint()
    {
        var knownHosts = KnownHosts("# nothing yet");
        var error = await Assert.ThrowsAsync<HostKeyVerificationException>(() => ConnectAsync(Server.Spec() with { KnownHostsFile = knownHosts }));
        Assert.Equal(HostKeyProblem.Unknown, error.Problem);
        Assert.Equal(Server.HostKey.Fingerprint, error.Fingerprint);
        Assert.Contains($"[127.0.0.1]:{Server.Port}", error.Message);
        Assert.Contains(Server.HostKey.Fingerprint, error.Message);
        Assert.Contains("ssh-ed25519", error.Message);
    }

    [Fact]
    public async Task Strict_refuses_a_missing_known_hosts_file()
    {
        var error = await Assert.ThrowsAsync<HostKeyVerificationException>(() => ConnectAsync(Server.Spec() with { KnownHostsFile = _dir.PathOf("absent") }));
        Assert.Equal(HostKeyProblem.Unknown, error.Problem);
    }

    [Fact]
    public async Task Accept_new_trusts_on_first_use_and_records_the_key()
    {
        var knownHosts = _dir.PathOf($"sub-{Guid.NewGuid():N}/known_hosts");
        await ConnectAsync(Server.Spec() with { KnownHostsFile = knownHosts, HostKeyPolicy = HostKeyPolicy.AcceptNew });

        var lines = await File.ReadAllLinesAsync(knownHosts);
        Assert.Equal([$"[127.0.0.1]:{Server.Port} {Server.HostKey.KeyType} {Server.HostKey.Base64}"], lines);
        // Now known: strict accepts it, and a second accept-new adds nothing.
        await ConnectAsync(Server.Spec() with { KnownHostsFile = knownHosts });
        await ConnectAsync(Server.Spec() with { KnownHostsFile = knownHosts, HostKeyPolicy = HostKeyPolicy.AcceptNew });
        Assert.Single(await File.ReadAllLinesAsync(knownHosts));
    }

    [Theory]
    [InlineData(HostKeyPolicy.Strict)]
    [InlineData(HostKeyPolicy.AcceptNew)]
    public async Task A_changed_key_is_refused_by_strict_and_accept_new(HostKeyPolicy policy)
    {
        var other = await SshKeys.GenerateAsync(_dir.PathOf($"other-{Guid.NewGuid():N}"));
        var knownHosts = KnownHosts($"[127.0.0.1]:{Server.Port} {other.KeyType} {other.Base64}");
        var before = await File.ReadAllTextAsync(knownHosts);

        var error = await Assert.ThrowsAsync<HostKeyVerificationException>(() => ConnectAsync(Server.Spec() with { KnownHostsFile = knownHosts, HostKeyPolicy = policy }));
        Assert.Equal(HostKeyProblem.Changed, error.Problem);
        Assert.Contains("HAS CHANGED", error.Message);
        Assert.Contains(Server.HostKey.Fingerprint, error.Message);
        Assert.Equal(before, await File.ReadAllTextAsync(knownHosts));
    }

    [Fact]
    public async Task Insecure_accept_any_connects_despite_a_changed_key()
    {
        var other = await SshKeys.GenerateAsync(_dir.PathOf($"other-{Guid.NewGuid():N}"));
        var knownHosts = KnownHosts($"[127.0.0.1]:{Server.Port} {other.KeyType} {other.Base64}");
        await ConnectAsync(Server.Spec() with { KnownHostsFile = knownHosts, HostKeyPolicy = HostKeyPolicy.InsecureAcceptAny });
    }

    [Fact]
    public async Task Hashed_entries_match()
    {
        var knownHosts = KnownHosts(Server.KnownHostsLines().ToArray());
        await ProcessRunner.RunCheckedAsync("ssh-keygen", "-H", "-f", knownHosts);
        var hashed = await File.ReadAllTextAsync(knownHosts);
        Assert.StartsWith("|1|", hashed);
        Assert.DoesNotContain("127.0.0.1", hashed);
        await ConnectAsync(Server.Spec() with { KnownHostsFile = knownHosts });
    }

    [Fact]
    public async Task An_entry_for_another_port_does_not_match()
    {
        var knownHosts = KnownHosts($"127.0.0.1 {Server.HostKey.KeyType} {Server.HostKey.Base64}", $"[127.0.0.1]:{Server.Port + 1} {Server.HostKey.KeyType} {Server.HostKey.Base64}");
        var error = await Assert.ThrowsAsync<HostKeyVerificationException>(() => ConnectAsync(Server.Spec() with { KnownHostsFile = knownHosts }));
        Assert.Equal(HostKeyProblem.Unknown, error.Problem);
    }

    [Fact]
    public async Task Revoked_keys_are_refused()
    {
        var knownHosts = KnownHosts($"@revoked * {Server.HostKey.KeyType} {Server.HostKey.Base64}", Server.KnownHostsLines()[0]);
        var error = await Assert.ThrowsAsync<HostKeyVerificationException>(() => ConnectAsync(Server.Spec() with { KnownHostsFile = knownHosts, HostKeyPolicy = HostKeyPolicy.AcceptNew }));
        Assert.Equal(HostKeyProblem.Revoked, error.Problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_host_with_several_key_types_is_checked_against_the_type_known(int knownIndex)
    {
        await using var server = await SshServer.StartAsync(new SshServerOptions { HostKeyTypes = ["ed25519", "ecdsa", "rsa"] });
        var knownHosts = KnownHosts("# other hosts first", $"other.example.com {server.HostKeys[2].KeyType} {server.HostKeys[0].Base64}", server.KnownHostsLines()[knownIndex]);
        await ConnectAsync(server.Spec() with { KnownHostsFile = knownHosts });
    }

    [Fact]
    public async Task Wildcard_and_comma_list_entries_match()
    {
        var knownHosts = KnownHosts($"otherhost,[127.0.0.*]:{Server.Port} {Server.HostKey.KeyType} {Server.HostKey.Base64}");
        await ConnectAsync(Server.Spec() with { KnownHostsFile = knownHosts });
    }
}
