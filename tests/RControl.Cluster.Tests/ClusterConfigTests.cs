using Akka.Configuration;
using RControl.Configuration;
using RControl.Serialization;

namespace RControl.Cluster.Tests;

/// <summary>When a daemon is a cluster node, how zones are read, and the bounds of the member list on the wire.</summary>
public sealed class ClusterConfigTests
{
    [Theory]
    [InlineData("", false)]
    [InlineData("akka.cluster.seed-nodes = []", false)]
    [InlineData("akka.cluster.seed-nodes = [\"akka.ssl.tcp://rcontrol@127.0.0.1:4053\"]", true)]
    [InlineData("akka.cluster.roles = [dc-eu]", true)]
    [InlineData("akka.actor.provider = cluster", true)]
    [InlineData("akka.actor.provider = remote", false)]
    public void A_daemon_is_a_cluster_node_only_when_its_config_asks_for_one(string hocon, bool cluster) =>
        Assert.Equal(cluster, ClusterConfig.IsConfigured(ConfigurationFactory.ParseString(hocon)));

    [Fact]
    public void A_zone_pins_a_session_and_sessions_without_one_go_anywhere()
    {
        var inventory = Inventory.Parse("sessions { eu { type = local, zone = dc-eu }, any { type = local }, db { type = ssh, host = h, zone = dc-us } }");
        Assert.Equal(new Dictionary<string, string> { ["eu"] = "dc-eu", ["db"] = "dc-us" }, inventory.Zones);
        Assert.Equal("rcontrol-sessions-dc-eu", ClusterZones.TypeName("dc-eu"));
        Assert.Equal("rcontrol-sessions", ClusterZones.TypeName(null));
    }

    [Fact]
    public void A_bad_zone_is_one_line_naming_the_session_and_key()
    {
        var error = Assert.Throws<ConfigKeyException>(() => Inventory.Parse("sessions { eu { type = local, zone = \"dc eu\" } }"));
        Assert.Equal(["sessions", "eu", "zone"], error.KeyPath);
        Assert.Contains("session 'eu': zone 'dc eu' must be a role name", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void The_cluster_settings_keep_untrusted_mode_and_add_only_the_cluster_paths()
    {
        var config = ClusterConfig.Overrides(["dc-eu"]).WithFallback(ClusterConfig.Defaults);
        Assert.Equal("cluster", config.GetString("akka.actor.provider"));
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal("Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster", config.GetString("akka.cluster.downing-provider-class"));
        Assert.False(config.GetBoolean("akka.cluster.sharding.remember-entities"));
        // Heartbeats, gossip, the split-brain resolver and remoting on threads of their own, not .NET's thread pool.
        Assert.Equal("akka.actor.rcontrol-cluster-dispatcher", config.GetString("akka.cluster.use-dispatcher"));
        Assert.Equal("fork-join-executor", config.GetString("akka.actor.rcontrol-cluster-dispatcher.executor"));
        Assert.Equal("fork-join-executor", RControl.Configuration.RControlConfig.ReferenceConfig.GetString("akka.remote.default-remote-dispatcher.executor"));
        var paths = config.GetStringList("akka.remote.trusted-selection-paths");
        Assert.Contains("/user/rcontrol", paths);
        Assert.Contains("/system/sharding/rcontrol-sessions-dc-euCoordinator/singleton/coordinator", paths);
        Assert.Contains("/system/sharding/dc-euReplicator", paths);
        Assert.All(paths, p => Assert.Matches("^/(user/rcontrol(-node)?|system/(remote-watcher|cluster/|sharding/))", p));
        // Those paths are for nodes only: the node-traffic adapter wraps the transport.
        Assert.Equal([NodeTrafficTransportProvider.Name], config.GetStringList("akka.remote.dot-netty.tcp.applied-adapters"));
        Assert.Equal(typeof(NodeTrafficTransportProvider), Type.GetType(config.GetString($"akka.remote.adapters.{NodeTrafficTransportProvider.Name}")));
    }

    [Fact]
    public void A_member_list_claiming_too_many_nodes_is_refused_before_it_is_built()
    {
        var wire = new RControl.Protocol.Wire.NodeList();
        for (var i = 0; i <= ClusterWire.MaxNodes; i++)
        {
            wire.Nodes.Add(new RControl.Protocol.Wire.NodeInfo());
        }

        var error = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => ClusterWire.FromWire(wire));
        Assert.Contains("more than the 10000 allowed", error.Message);
    }
}
