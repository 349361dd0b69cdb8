using Akka.Configuration;
using Akka.Hosting;
using RControl.Cluster;
using RControl.Configuration;

namespace RControl.Host.Daemon;

/// <summary>
/// A daemon as a cluster node: when its config names seed nodes (or roles, or provider <c>cluster</c>), the cluster
/// settings go in front of its config; otherwise nothing changes (a single daemon). Nodes authenticate each other with
/// the same mutual TLS as clients: daemons of one user share the state directory's CA and server certificate.
/// </summary>
internal static class DaemonCluster
{
    /// <summary>The daemon's config with the cluster settings in front (and the split-brain defaults under it), or unchanged.</summary>
    public static Config Apply(Config full, Inventory inventory) =>
        ClusterConfig.IsConfigured(full)
            ? ClusterConfig.Overrides(inventory.Zones.Values).WithFallback(full).WithFallback(ClusterConfig.Defaults)
            : full;

    /// <summary>
    /// Where this daemon keeps its own files (its job store): the state directory for a single daemon; for a cluster
    /// node, <c>STATE-DIR/nodes/HOST-PORT</c>, so daemons of one user share the CA but each keeps its own store.
    /// </summary>
    public static string NodeStateDirectory(DaemonConfig config)
    {
        if (!ClusterConfig.IsConfigured(config.Config))
        {
            return config.StateDirectory;
        }

        var (host, port) = config.Endpoint;
        return Path.Combine(config.StateDirectory, "nodes", $"{host}-{port}");
    }

    /// <summary>Puts the cluster overrides in front again, after the endpoint security's own overrides (which they extend).</summary>
    public static void AddTo(AkkaConfigurationBuilder akka, DaemonConfig config)
    {
        if (ClusterConfig.IsConfigured(config.Config))
        {
            akka.AddHocon(ClusterConfig.Overrides(config.Inventory.Zones.Values), HoconAddMode.Prepend);
        }
    }
}
