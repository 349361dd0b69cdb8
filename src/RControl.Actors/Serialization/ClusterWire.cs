using System.Runtime.Serialization;
using RControl.Cluster;
using W = RControl.Protocol.Wire;

namespace RControl.Serialization;

/// <summary>Mapping of the cluster's member list (<c>cluster.proto</c>) to and from its records, with its bounds.</summary>
internal static class ClusterWire
{
    /// <summary>More members than this in one list is refused (Akka clusters stay far below).</summary>
    public const int MaxNodes = 10_000;

    /// <summary>More roles than this on one member is refused.</summary>
    public const int MaxRoles = 256;

    public static W.ListNodes ToWire(ClusterNodes.ListNodes m) => new() { LocalOnly = m.LocalOnly };

    public static ClusterNodes.ListNodes FromWire(W.ListNodes w) => new(w.LocalOnly);

    public static W.NodeList ToWire(ClusterNodes.NodeList m)
    {
        var wire = new W.NodeList();
        foreach (var node in m.Nodes)
        {
            var info = new W.NodeInfo { Address = node.Address, Status = node.Status };
            info.Roles.AddRange(node.Roles);
            if (node.Sessions is { } sessions)
            {
                info.Sessions = sessions;
            }

            if (node.Tasks is { } tasks)
            {
                info.Tasks = tasks;
            }

            if (node.Connections is { } connections)
            {
                info.Connections = connections;
            }

            wire.Nodes.Add(info);
        }

        return wire;
    }

    public static ClusterNodes.NodeList FromWire(W.NodeList w)
    {
        if (w.Nodes.Count > MaxNodes)
        {
            throw new SerializationException($"NodeList holds {w.Nodes.Count} nodes, more than the {MaxNodes} allowed");
        }

        return new ClusterNodes.NodeList(w.Nodes.Select(n => n.Roles.Count > MaxRoles
            ? throw new SerializationException($"NodeInfo.roles holds {n.Roles.Count} roles, more than the {MaxRoles} allowed")
            : new ClusterMember(
                n.Address,
                n.Status,
                n.Roles.ToArray(),
                n.HasSessions ? n.Sessions : null,
                n.HasTasks ? n.Tasks : null,
                n.HasConnections ? n.Connections : null)).ToArray());
    }
}
