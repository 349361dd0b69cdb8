using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.Logging;

namespace RControl.Host.Daemon;

/// <summary>
/// Logs every change of a cluster member's status as this node sees it (<c>cluster member ADDRESS is Up</c>, then
/// <c>Leaving</c>, <c>Exiting</c>, <c>Removed</c> for a node that leaves; <c>Unreachable</c> and <c>Down</c> for one lost).
/// </summary>
internal sealed class MemberLogActor : ReceiveActor
{
    public MemberLogActor(ILogger log)
    {
        Receive<ClusterEvent.MemberRemoved>(e => log.LogInformation("cluster member {Address} is Removed (was {Previous})", e.Member.Address, e.PreviousStatus));
        Receive<ClusterEvent.IMemberEvent>(e => log.LogInformation("cluster member {Address} is {Status} (roles: {Roles})", e.Member.Address, e.Member.Status, e.Member.Roles.Count == 0 ? "-" : string.Join(",", e.Member.Roles)));
        Receive<ClusterEvent.UnreachableMember>(e => log.LogWarning("cluster member {Address} is Unreachable", e.Member.Address));
        Receive<ClusterEvent.ReachableMember>(e => log.LogInformation("cluster member {Address} is reachable again", e.Member.Address));
    }

    public static Props Props(ILogger log) => Akka.Actor.Props.Create(() => new MemberLogActor(log));

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
}
