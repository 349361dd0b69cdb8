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
}
