using RControl.Protocol;

namespace RControl.Cluster;

/// <summary>One member of a daemon cluster as a client sees it (<c>rcontrol nodes</c>, <c>RemoteEngine.ListNodesAsync</c>).</summary>
/// <param name="Address">The node's Akka address (<c>akka.ssl.tcp://rcontrol@host:port</c>).</param>
/// <param name="Status">Akka's member status: Joining, WeaklyUp, Up, Leaving, Exiting, Down, Removed.</param>
/// <param name="Roles">Its Akka cluster roles: the zones it hosts.</param>
/// <param name="Sessions">Sessions hosted there (sharded entities); null when the node did not answer in time.</param>
/// <param name="Tasks">Command tasks running there; null when the node did not answer in time.</param>
/// <param name="Connections">Clients logged in at its gate; null when the node did not answer in time.</param>
public sealed record ClusterMember(string Address, string Status, IReadOnlyList<string> Roles, int? Sessions, int? Tasks, int? Connections);

/// <summary>The member list's messages.</summary>
internal static class ClusterNodes
{
    /// <summary>
    /// Answered with <see cref="NodeList"/>: every member (a client's request), or — between nodes, with
    /// <paramref name="LocalOnly"/> — the answering node's own counts.
    /// </summary>
    public sealed record ListNodes(bool LocalOnly) : IRControlWireMessage;

    /// <summary>The answer to <see cref="ListNodes"/>; empty from an engine that is not a cluster node.</summary>
    public sealed record NodeList(IReadOnlyList<ClusterMember> Nodes) : IRControlWireMessage;
}
