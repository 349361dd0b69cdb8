using RControl.Protocol;

namespace RControl.Cluster;

/// <summary>The members of the cluster as a client sees them (<c>rcontrol nodes</c>).</summary>
public static class ClusterNodes
{
    /// <summary>
    /// Answered with <see cref="NodeList"/>: every member (a client's request), or — between nodes, with
    /// <paramref name="LocalOnly"/> — the answering node's own counts.
    /// </summary>
    public sealed record ListNodes(bool LocalOnly) : IRControlWireMessage;

    /// <summary>One member: its address, Akka member status (Up, Leaving, …), roles (zones) and what it holds.</summary>
    /// <param name="Sessions">Sessions hosted there (sharded entities); null when the node did not answer in time.</param>
    /// <param name="Tasks">Command tasks running there; null when the node did not answer in time.</param>
    /// <param name="Connections">Clients logged in at its gate; null when the node did not answer in time.</param>
    public sealed record NodeInfo(string Address, string Status, IReadOnlyList<string> Roles, int? Sessions, int? Tasks, int? Connections);

    /// <summary>The answer to <see cref="ListNodes"/>; empty from an engine that is not a cluster node.</summary>
    public sealed record NodeList(IReadOnlyList<NodeInfo> Nodes) : IRControlWireMessage;
}
