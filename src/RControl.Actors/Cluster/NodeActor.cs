using Akka.Actor;
using Akka.Cluster.Sharding;
using RControl.Protocol;

namespace RControl.Cluster;

/// <summary>
/// A node's own counts (<c>/user/rcontrol-node</c>), asked by the other members for <c>rcontrol nodes</c>: sessions
/// hosted by its shard regions, command tasks running (from the event stream), clients logged in at its gate.
/// </summary>
internal sealed class NodeActor : ReceiveActor
{
    private readonly Dictionary<(string Session, string TaskId), bool> _running = new();

    public NodeActor(IReadOnlyList<IActorRef> regions, TimeSpan timeout)
    {
        Receive<CommandTaskStarted>(started => _running[(started.Session, started.TaskId)] = true);
        Receive<CommandTaskEnded>(ended => _running.Remove((ended.Session, ended.TaskId)));
        Receive<ClusterNodes.ListNodes>(_ =>
        {
            var tasks = _running.Count;
            var replyTo = Sender;
            var self = Akka.Cluster.Cluster.Get(Context.System).SelfMember;
            CountAsync(Context.System, regions, timeout).PipeTo(
                replyTo,
                success: counts => new ClusterNodes.NodeList(
                    [new ClusterMember(self.Address.ToString(), self.Status.ToString(), self.Roles.Order().ToArray(), counts.Sessions, tasks, counts.Connections)]),
                failure: _ => new ClusterNodes.NodeList([]));
        });
    }

    public static Props Props(IReadOnlyList<IActorRef> regions, TimeSpan timeout) => Akka.Actor.Props.Create(() => new NodeActor(regions, timeout));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(CommandTaskStarted));
        Context.System.EventStream.Subscribe(Self, typeof(CommandTaskEnded));
    }

    private static async Task<(int Sessions, int Connections)> CountAsync(ActorSystem system, IReadOnlyList<IActorRef> regions, TimeSpan timeout)
    {
        var sessions = 0;
        foreach (var region in regions)
        {
            var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, timeout).ConfigureAwait(false);
            sessions += state.Shards.Sum(s => s.EntityIds.Count);
        }

        var connections = 0;
        try
        {
            var gate = await system.ActorSelection($"/user/{Hosting.RControlEngine.ActorName}").ResolveOne(timeout).ConfigureAwait(false);
            if (gate is ActorRefWithCell cell)
            {
                connections = cell.Children.Count(c => c.Path.Name.StartsWith("client-", StringComparison.Ordinal));
            }
        }
        catch (ActorNotFoundException)
        {
            // No gate (an engine without remoting): no connections.
        }

        return (sessions, connections);
    }
}
