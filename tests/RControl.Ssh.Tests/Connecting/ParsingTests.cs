using System.Text;
using RControl.Protocol;
using RControl.TestSupport;
using RControl.Transports;
using RControl.Transports.Ssh;

namespace RControl.Ssh.Tests.Connecting;

/// <summary>Pure logic: known_hosts matching, patterns, the command wrapper, the channel sink.</summary>
public sealed class ParsingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("*.example.com", "web1.example.com", true)]
    [InlineData("web?.example.com", "web1.example.com", true)]
    [InlineData("web?.example.com", "web10.example.com", false)]
    [InlineData("[127.0.0.1]:*", "[127.0.0.1]:2222", true)]
    [InlineData("WEB1", "web1", true)]
    public void Wildcards(string pattern, string text, bool expected) =>
        Assert.Equal(expected, Wildcard.IsMatch(pattern, text, ignoreCase: true));

    [Fact]
    public async Task Known_hosts_negation_hashing_and_key_types()
    {
        var key = await SshKeys.GenerateAsync(_dir.PathOf("k1"));
        var other = await SshKeys.GenerateAsync(_dir.PathOf("k2"), "ecdsa");
        var blob = Convert.FromBase64String(key.Base64);
        var hashed = _dir.PathOf("hashed");
        File.WriteAllLines(hashed, [$"[hashed.example.com]:2200 {other.KeyType} {other.Base64}"]);
        await ProcessRunner.RunCheckedAsync("ssh-keygen", "-H", "-f", hashed);
        var path = _dir.PathOf("known_hosts");
        File.WriteAllLines(path, [
            $"*.example.com,!bad.example.com {key.KeyType} {key.Base64}",
            "garbage line",
            .. File.ReadAllLines(hashed),
        ]);
        var known = KnownHosts.Load(path);

        Assert.Equal(HostKeyMatch.Known, known.Check("good.example.com", 22, blob));
        Assert.Equal(HostKeyMatch.Unknown, known.Check("bad.example.com", 22, blob));
        Assert.Equal(HostKeyMatch.Changed, known.Check("hashed.example.com", 2200, blob));
        Assert.Equal(["ecdsa-sha2-nistp256"], known.KeyTypesFor("hashed.example.com", 2200));
        Assert.Equal("ssh-ed25519", KnownHosts.KeyTypeOf(blob));
        Assert.Equal(key.Fingerprint, KnownHosts.Fingerprint(blob));
    }

    [Fact]
    public void Command_wrapper_prints_the_group_first_then_combines_and_quotes()
    {
        var text = SshCommandLine.Build(new CommandSpec("echo 'hi'") { WorkingDirectory = "/tmp/a b", Environment = new Dictionary<string, string> { ["X"] = "y'z" } }, null, "n0nce");
        Assert.StartsWith("exec /bin/sh -c '#rcontrol:n0nce\n", text);
        Assert.Contains("echo rcontrol-pgid:$$ $! >&2", text);
        Assert.True(text.IndexOf("rcontrol-pgid:$$", StringComparison.Ordinal) < text.IndexOf("exec 2>&1", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => SshCommandLine.Build(new CommandSpec("true") { Environment = new Dictionary<string, string> { ["A-B"] = "1" } }, null, "n"));
    }

    [Fact]
    public void Command_wrapper_skips_the_second_sh_only_with_a_guardian_that_found_sh_as_the_login_shell()
    {
        var command = new CommandSpec("echo 'hi'");
        var direct = SshCommandLine.Build(command, null, "n0nce", "/dev/shm/rcontrol-g.x", loginShellIsSh: true);
        Assert.StartsWith("#rcontrol:n0nce\nif [ -O /dev/shm/rcontrol-g.x ]", direct);
        Assert.EndsWith("\necho 'hi'", direct);
        Assert.Equal("exec /bin/sh -c " + ShellScript.Quote(direct), SshCommandLine.Build(command, null, "n0nce", "/dev/shm/rcontrol-g.x"));

        // Without a guardian nothing is known about the login shell: the watcher's wrapper always runs under /bin/sh.
        Assert.StartsWith("exec /bin/sh -c '#rcontrol:n0nce\n", SshCommandLine.Build(command, null, "n0nce", null, loginShellIsSh: true));
    }

    [Fact]
    public async Task Channel_sink_takes_the_group_line_across_writes_and_passes_the_rest()
    {
        var sink = new ChannelSink(readsProcessGroup: true, new OutputGauge());
        sink.Write(Encoding.ASCII.GetBytes("login script says hi\nrcontrol-pgid:12"));
        Assert.False(sink.ProcessGroup.IsCompleted);
        sink.Write(Encoding.ASCII.GetBytes("34 1240\nerr line\n"));
        Assert.Equal(new RemoteProcess(1234, 1240), await sink.ProcessGroup);
        sink.Dispose();
        using var reader = new StreamReader(sink.Reader);
        Assert.Equal("login script says hi\nerr line\n", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Channel_sink_of_a_registered_command_reads_only_its_first_line_for_ids()
    {
        // A registered command prints no ids: its first stderr line is its own, and so is everything after it.
        var sink = new ChannelSink(readsProcessGroup: true, new OutputGauge(), firstLineOnly: true);
        sink.Write(Encoding.ASCII.GetBytes("warning: x\nrcontrol-pgid:1234 0\n"));
        Assert.Null(await sink.ProcessGroup);
        sink.Dispose();
        using var reader = new StreamReader(sink.Reader);
        Assert.Equal("warning: x\nrcontrol-pgid:1234 0\n", await reader.ReadToEndAsync());

        // Its fallback watcher (the guardian's directory was gone) prints them first.
        var watched = new ChannelSink(readsProcessGroup: true, new OutputGauge(), firstLineOnly: true);
        watched.Write(Encoding.ASCII.GetBytes("rcontrol-pgid:1234 1240\n"));
        Assert.Equal(new RemoteProcess(1234, 1240), await watched.ProcessGroup);
        watched.Dispose();
    }

    [Fact]
    public void Inventory_defaults_are_ten_channels_times_eight_connections_and_a_thirty_second_connect_budget()
    {
        var inventory = RControl.Configuration.Inventory.Parse("""
            sessions {
              plain { type = ssh, host = a.example.com }
              tuned { type = ssh, host = b.example.com, connect-budget = 5s, max-connections = 1 }
            }
            """);
        var plain = (SshSessionSpec)inventory.Sessions["plain"];
        var tuned = (SshSessionSpec)inventory.Sessions["tuned"];

        Assert.Equal((10, 8, TimeSpan.FromSeconds(30)), (plain.MaxChannels, plain.MaxConnections, plain.ConnectBudget));
        Assert.Equal((1, TimeSpan.FromSeconds(5)), (tuned.MaxConnections, tuned.ConnectBudget));
    }

    [Fact]
    public void The_connect_budget_crosses_the_wire_and_an_older_peer_gets_the_default()
    {
        var spec = new SshSessionSpec("h") { ConnectBudget = TimeSpan.FromSeconds(7) };
        var wire = RControl.Serialization.SessionWire.ToWire(spec, withSecrets: false);

        Assert.Equal(TimeSpan.FromSeconds(7), ((SshSessionSpec)RControl.Serialization.SessionWire.FromWire(wire)).ConnectBudget);
        wire.Ssh.ClearConnectBudgetTicks();
        Assert.Equal(SshSessionSpec.DefaultConnectBudget, ((SshSessionSpec)RControl.Serialization.SessionWire.FromWire(wire)).ConnectBudget);
    }
}
