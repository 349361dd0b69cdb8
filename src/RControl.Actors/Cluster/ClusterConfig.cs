using Akka.Actor.Setup;
using Akka.Actor;
using Akka.Configuration;
using RControl.Security;

namespace RControl.Cluster;

/// <summary>
/// When an engine runs as a cluster node, and the settings it then runs with: Akka.Cluster (provider <c>cluster</c>),
/// Akka's split-brain resolver with keep-majority, Akka.Cluster.Sharding with remember-entities off and no idle
/// passivation, the cluster's internal actors reachable by selection (Akka's untrusted mode stays on) and, through the
/// <see cref="NodeTrafficTransportProvider"/> adapter, by nodes only: a peer with a client certificate reaches the gate.
/// </summary>
internal static class ClusterConfig
{
    /// <summary>The node actor's name (<c>/user/rcontrol-node</c>): answers the node's counts to the other members.</summary>
    public const string NodeActorName = "rcontrol-node";

    /// <summary>
    /// True when the config asks for a cluster: <c>akka.cluster.seed-nodes</c> not empty, an <c>akka.cluster</c>
    /// section with roles, or <c>akka.actor.provider = cluster</c>. A daemon without these stays a single node.
    /// </summary>
    public static bool IsConfigured(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return (config.HasPath("akka.cluster.seed-nodes") && config.GetStringList("akka.cluster.seed-nodes").Count > 0)
            || (config.HasPath("akka.cluster.roles") && config.GetStringList("akka.cluster.roles").Count > 0)
            || string.Equals(config.GetString("akka.actor.provider", ""), "cluster", StringComparison.OrdinalIgnoreCase)
            || (config.GetString("akka.actor.provider", "") ?? "").StartsWith("Akka.Cluster.", StringComparison.Ordinal);
    }

    /// <summary>
    /// Defaults of a cluster node, under the user's settings: Akka's split-brain resolver with keep-majority (the side
    /// with more than half of the members stays up, the other side downs itself; see Akka's split-brain resolver docs
    /// for the other strategies, which a config may choose instead).
    /// Cluster internals (heartbeats, gossip, the split-brain resolver) run on threads of their own, as remoting does
    /// (<c>akka.remote.default-remote-dispatcher</c> in the reference config): Akka's
    /// default dispatchers share .NET's thread pool, and a node whose pool is held by blocking work (thousands of
    /// process starts on a loaded machine) sent its heartbeats seconds late, so its peers took it for lost.
    /// </summary>
    public static Config Defaults { get; } = ConfigurationFactory.ParseString("""
        akka.cluster.downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
        akka.cluster.split-brain-resolver.active-strategy = keep-majority
        akka.cluster.use-dispatcher = akka.actor.rcontrol-cluster-dispatcher
        akka.actor.rcontrol-cluster-dispatcher {
          type = Dispatcher
          executor = fork-join-executor
          fork-join-executor { parallelism-min = 2, parallelism-factor = 1.0, parallelism-max = 2 }
          throughput = 5
        }
        """);

    /// <summary>
    /// The settings a cluster node runs with, to put in front of everything else (they also carry the trusted selection
    /// paths of the remote security overrides, extended by the cluster's own).
    /// </summary>
    /// <param name="zones">The zones of the inventory (each has its own coordinator and replicator).</param>
    public static Config Overrides(IEnumerable<string> zones)
    {
        var paths = new List<string>
        {
            $"/user/{Hosting.RControlEngine.ActorName}",
            "/system/remote-watcher",
            "/system/cluster/core/daemon",
            "/system/cluster/heartbeatReceiver",
            $"/user/{NodeActorName}",
        };
        foreach (var zone in zones.Distinct().Prepend(null))
        {
            var type = Uri.EscapeDataString(ClusterZones.TypeName(zone));
            paths.Add($"/system/sharding/{type}Coordinator");
            paths.Add($"/system/sharding/{type}Coordinator/singleton");
            paths.Add($"/system/sharding/{type}Coordinator/singleton/coordinator");
            paths.Add(zone is null ? "/system/sharding/replicator" : $"/system/sharding/{Uri.EscapeDataString(zone)}Replicator");
        }

        var quoted = string.Join(", ", paths.Select(p => $"\"{p}\""));
        // No space in the type name: Akka reads the adapter's value with its quotes when it needs them.
        return ConfigurationFactory.ParseString($$"""
            akka.actor.provider = cluster
            akka.remote.adapters.{{NodeTrafficTransportProvider.Name}} = "{{typeof(NodeTrafficTransportProvider).FullName}},{{typeof(NodeTrafficTransportProvider).Assembly.GetName().Name}}"
            akka.remote.dot-netty.tcp.applied-adapters = ["{{NodeTrafficTransportProvider.Name}}"]
            akka.remote.trusted-selection-paths = [{{quoted}}]
            akka.cluster.sharding {
              remember-entities = off
              state-store-mode = ddata
              passivate-idle-entity-after = off
            }
            akka.cluster.run-coordinated-shutdown-when-down = on
            """);
    }

    /// <summary>
    /// The setup of an actor system that is a cluster node with an engine (see <see cref="RemoteSecurity.CreateSystemSetup"/>):
    /// the endpoint checked, the cluster settings in front of the transport overrides, the split-brain defaults under
    /// <paramref name="config"/>. Start the engine in it with <c>RControlEngine.Start(system, inventory)</c>.
    /// </summary>
    /// <param name="zones">The zones of the inventory the engine will serve.</param>
    public static ActorSystemSetup CreateSystemSetup(Config config, EndpointSecurity security, IEnumerable<string> zones)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(security);
        RemoteSecurity.Validate(config);
        var full = Overrides(zones).WithFallback(RemoteSecurity.TransportOverrides(security)).WithFallback(config).WithFallback(Defaults);
        var bootstrap = BootstrapSetup.Create().WithConfig(full);
        return security.Ssl is { } ssl ? ActorSystemSetup.Create(bootstrap, ssl, security) : ActorSystemSetup.Create(bootstrap, security);
    }
}
