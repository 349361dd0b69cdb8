using Akka.Actor;
using RControl.Protocol;

namespace RControl.Actors;

/// <summary>
/// The engine's registry of named sessions: opens session actors from <see cref="SessionSpec"/>s (the
/// daemon's inventory, or a remote client's request), finds them by name, closes them.
/// </summary>
internal sealed class SessionManagerActor : ReceiveActor
{
    private readonly Dictionary<string, (IActorRef Actor, SessionSpec Spec)> _sessions = new();
    private long _counter;

    public SessionManagerActor()
    {
        Receive<OpenSession>(open =>
        {
            if (!_sessions.TryGetValue(open.Name, out var session))
            {
                var actor = Context.ActorOf(SessionActor.Props(open.Name, open.Spec), $"session-{++_counter}");
                Context.Watch(actor);
                session = (actor, open.Spec);
                _sessions[open.Name] = session;
            }

            Sender.Tell(new SessionFound(open.Name, session.Actor, session.Spec));
        });
        Receive<GetSession>(get => Sender.Tell(_sessions.TryGetValue(get.Name, out var session)
            ? new SessionFound(get.Name, session.Actor, session.Spec)
            : new SessionNotFound(get.Name, _sessions.Keys.Order().ToArray())));
        Receive<CloseSession>(close =>
        {
            if (_sessions.Remove(close.Name, out var session))
            {
                Context.Stop(session.Actor);
            }

            Sender.Tell(new SessionClosed(close.Name));
        });
        Receive<ListSessions>(_ => Sender.Tell(new SessionList(_sessions.Keys.Order().ToArray())));
        Receive<Cluster.ClusterNodes.ListNodes>(_ => Sender.Tell(new Cluster.ClusterNodes.NodeList([]))); // not a cluster node
        Receive<Terminated>(t =>
        {
            foreach (var (name, session) in _sessions)
            {
                if (session.Actor.Equals(t.ActorRef))
                {
                    _sessions.Remove(name);
                    break;
                }
            }
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new SessionManagerActor());
}
