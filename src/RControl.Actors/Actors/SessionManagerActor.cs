using Akka.Actor;
using RControl.Protocol;

namespace RControl.Actors;

/// <summary>
/// The engine's registry of named sessions: opens session actors from <see cref="SessionSpec"/>s (the
/// daemon's inventory, or a remote client's request), finds them by name, closes them.
/// </summary>
public sealed class SessionManagerActor : ReceiveActor
{
    /// <summary>Open (or return the already open) session with this name. Answered with <see cref="SessionFound"/>.</summary>
    public sealed record OpenSession(string Name, SessionSpec Spec) : IRControlWireMessage;

    /// <summary>Find a session by name. Answered with <see cref="SessionFound"/> or <see cref="SessionNotFound"/>.</summary>
    public sealed record GetSession(string Name) : IRControlWireMessage;

    /// <summary>Close a session: its running commands are killed. Answered with <see cref="SessionClosed"/>.</summary>
    public sealed record CloseSession(string Name) : IRControlWireMessage;

    /// <summary>Answered with <see cref="SessionList"/>.</summary>
    public sealed record ListSessions : IRControlWireMessage
    {
        public static ListSessions Instance { get; } = new();
    }

    public sealed record SessionFound(string Name, IActorRef Session, SessionSpec Spec) : IRControlWireMessage;

    public sealed record SessionNotFound(string Name, IReadOnlyList<string> Known) : IRControlWireMessage;

    public sealed record SessionClosed(string Name) : IRControlWireMessage;

    public sealed record SessionList(IReadOnlyList<string> Names) : IRControlWireMessage;

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
