using Akka.Actor;
using Akka.Cluster.Sharding;
using RControl.Configuration;

namespace RControl.Cluster;

/// <summary>
/// Starts an engine's sessions as Akka.Cluster.Sharding entities: a shard region for sessions without a zone on every
/// node, and per zone a region restricted to the zone's role (a proxy on nodes without it). Returns the node's session
/// directory, which takes the place of the single engine's session manager.
/// </summary>
internal static class ClusterSessions
{
    /// <summary>Shards per region: about ten per node of a large cluster, per Akka's guidance.</summary>
    private const int MaxShards = 100;

    /// <summary>
    /// Starts the regions, the node actor and the directory on a system running Akka.Cluster. A command waits up to
    /// <c>rcontrol.cluster.locate-timeout</c> for its session to be placed (while a lost node's shards move).
    /// </summary>
    public static IActorRef Start(ActorSystem system, Inventory inventory)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(inventory);
        var engineSettings = RControlSettings.Get(system);
        var (timeout, locateTimeout) = (engineSettings.AskTimeout, engineSettings.LocateTimeout);
        var sharding = ClusterSharding.Get(system);
        var roles = Akka.Cluster.Cluster.Get(system).SelfRoles;
        // Every message to a session travels in a ShardingEnvelope (entity id = session name), which Akka unwraps.
        var extractor = HashCodeMessageExtractor.Create(MaxShards, _ => null);
        var regions = new Dictionary<string, IActorRef>(StringComparer.Ordinal);
        var hosting = new List<IActorRef>();
        foreach (var zone in inventory.Zones.Values.Distinct().Order().Prepend(null))
        {
            var type = ClusterZones.TypeName(zone);
            IActorRef region;
            if (zone is null || roles.Contains(zone))
            {
                var settings = ClusterShardingSettings.Create(system).WithRole(zone).WithRememberEntities(false);
                region = sharding.Start(
                    type,
                    name => SessionEntityActor.Props(name, inventory),
                    settings,
                    extractor,
                    sharding.DefaultShardAllocationStrategy(settings),
                    SessionEntityActor.HandOff.Instance);
                hosting.Add(region);
            }
            else
            {
                region = sharding.StartProxy(type, zone, extractor);
            }

            regions[zone ?? ""] = region;
        }

        system.ActorOf(NodeActor.Props(hosting, timeout), ClusterConfig.NodeActorName);
        return system.ActorOf(ClusterSessionsActor.Props(inventory, regions, timeout, locateTimeout), $"rcontrol-cluster-sessions-{Guid.NewGuid():N}");
    }
}
