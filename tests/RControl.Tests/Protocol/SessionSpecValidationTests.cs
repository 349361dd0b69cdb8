using RControl.Configuration;
using RControl.Protocol;

namespace RControl.Tests.Protocol;

/// <summary>Session specs are plain data checked once, where they are built; defaults live in the spec only.</summary>
public sealed class SessionSpecValidationTests
{
    [Fact]
    public void Out_of_range_values_are_refused_where_the_spec_is_built()
    {
        var spec = new SshSessionSpec("h");
        Assert.Contains("MaxChannels must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => spec with { MaxChannels = 0 }).Message);
        Assert.Contains("MaxConnections must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => spec with { MaxConnections = -1 }).Message);
        Assert.Contains("Port must be between 1 and 65535", Assert.Throws<ArgumentOutOfRangeException>(() => spec with { Port = 70000 }).Message);
        Assert.Equal((10, 8, (int?)2222), (spec.MaxChannels, spec.MaxConnections, (spec with { Port = 2222 }).Port));
    }

    [Fact]
    public void The_inventory_leaves_unset_values_to_the_spec_defaults()
    {
        var parsed = (SshSessionSpec)Inventory.Parse("sessions { web { type = ssh, host = web1 } }").Sessions["web"];
        var defaults = new SshSessionSpec("web1");
        Assert.Equal((defaults.MaxChannels, defaults.MaxConnections, defaults.HostKeyPolicy, defaults.ConnectTimeout, defaults.KeepAlive, defaults.ConnectBudget),
            (parsed.MaxChannels, parsed.MaxConnections, parsed.HostKeyPolicy, parsed.ConnectTimeout, parsed.KeepAlive, parsed.ConnectBudget));
        var tuned = (SshSessionSpec)Inventory.Parse("sessions { web { type = ssh, host = web1, max-channels = 3, host-key-policy = accept-new } }").Sessions["web"];
        Assert.Equal((3, defaults.MaxConnections, HostKeyPolicy.AcceptNew), (tuned.MaxChannels, tuned.MaxConnections, tuned.HostKeyPolicy));
    }

    [Theory]
    [InlineData("", "host", "'host' is empty")]
    [InlineData("web 1", "host", "'host' contains white space: 'web 1'")]
    public void A_bad_host_is_refused_naming_the_key(string host, string key, string problem)
    {
        var e = Assert.Throws<SpecFieldException>(() => new SshSessionSpec(host));
        Assert.Equal((key, problem, "Host"), (e.Key, e.Problem, e.ParamName));
        Assert.Throws<SpecFieldException>(() => new SshSessionSpec("ok") with { Host = host });
    }

    [Fact]
    public void Blank_texts_empty_entries_and_non_positive_durations_are_refused_where_the_spec_is_built()
    {
        var spec = new SshSessionSpec("h");
        Problem("'user' is empty (leave it out for the default)", () => spec with { User = " " });
        Problem("'known-hosts' is empty (leave it out for the default)", () => spec with { KnownHostsFile = "" });
        Problem("'proxy-jump' is empty (leave it out for the default)", () => spec with { ProxyJump = "" });
        Problem("'ssh-config' is empty (leave it out for the default)", () => spec with { SshConfigFile = "" });
        Problem("'identity-files' has an empty entry", () => spec with { IdentityFiles = ["~/.ssh/id", ""] });
        Problem("'kex-algorithms' is an empty list (leave it out for the default)", () => spec with { KeyExchangeAlgorithms = [] });
        Problem("'connect-timeout' must be positive, got 00:00:00", () => spec with { ConnectTimeout = TimeSpan.Zero });
        Problem("'connect-budget' must be positive, got -00:00:01", () => spec with { ConnectBudget = TimeSpan.FromSeconds(-1) });
        Problem("'keep-alive' must be zero (off) or positive, got -00:00:01", () => spec with { KeepAlive = TimeSpan.FromSeconds(-1) });
        Problem("'working-directory' is empty (leave it out for the default)", () => new LocalSessionSpec { WorkingDirectory = " " });
        Assert.Equal(TimeSpan.Zero, (spec with { KeepAlive = TimeSpan.Zero }).KeepAlive); // zero: no keep-alive

        static void Problem(string expected, Func<SessionSpec> build) => Assert.Equal(expected, Assert.Throws<SpecFieldException>(build).Problem);
    }

    [Theory]
    [InlineData("web { type = ssh, host = \"\" }", "host", "session 'web': missing 'host'")]
    [InlineData("web { type = ssh, host = \"a b\" }", "host", "session 'web': 'host' contains white space: 'a b'")]
    [InlineData("web { type = ssh, host = h, user = \"\" }", "user", "session 'web': 'user' is empty (leave it out for the default)")]
    [InlineData("web { type = ssh, host = h, kex-algorithms = [] }", "kex-algorithms", "session 'web': 'kex-algorithms' is an empty list (leave it out for the default)")]
    [InlineData("web { type = ssh, host = h, identity-files = [\"\"] }", "identity-files", "session 'web': 'identity-files' has an empty entry")]
    [InlineData("web { type = local, working-directory = \" \" }", "working-directory", "session 'web': 'working-directory' is empty (leave it out for the default)")]
    public void A_bad_field_in_the_inventory_names_session_and_key(string session, string key, string message)
    {
        var e = Assert.Throws<ConfigKeyException>(() => Inventory.Parse($"sessions {{ {session} }}"));
        Assert.Equal(["sessions", "web", key], e.KeyPath);
        Assert.Equal(message, e.Message);
    }
}
