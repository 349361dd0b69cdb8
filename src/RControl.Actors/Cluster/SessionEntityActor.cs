using Akka.Actor;
using RControl.Actors;
using RControl.Configuration;
using RControl.Protocol;

namespace RControl.Cluster;

/// <summary>
/// A session as a sharded entity (entity id = session name): hosts the <see cref="SessionActor"/> on this node and
/// answers a <see cref="GetSession"/> or <see cref="OpenSession"/> with it.
/// When its shard is handed off (rebalance, a node leaving), it tells the proxies that located it to locate it again,
/// lets its running tasks end, then stops: Akka's hand-off timeout bounds that wait, and a task still running then is
/// killed and reported (never moved silently).
/// </summary>
internal sealed class SessionEntityActor : ReceiveActor
{
    /// <summary>The hand-off stop message (local: sent by this node's shard).</summary>
    public sealed record HandOff
    {
        public static HandOff Instance { get; } = new();
    }

    /// <summary>Told to the proxies that located this entity when it moves: locate it again for new commands.</summary>
    public sealed record Moving(string Name, IActorRef Session);

    private readonly string _name;
    private readonly Inventory _inventory;
    private readonly HashSet<IActorRef> _proxies = new();
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);
    private IActorRef? _session;
    private SessionSpec? _spec;
    private bool _handingOff;

    public SessionEntityActor(string name, Inventory inventory)
    {
        _name = name;
        _inventory = inventory;
        Receive<GetSession>(_ => Locate(null));
        Receive<OpenSession>(open => Locate(open.Spec));
        Receive<CloseSession>(_ =>
        {
            Sender.Tell(new SessionClosed(_name));
            Context.Stop(Self);
        });
        Receive<ExecuteCommand>(execute =>
        {
            if (Ensure(null) is { } session)
            {
                session.Forward(execute);
            }
            else
            {
                Sender.Tell(new CommandCompleted(execute.TaskId, CommandEnd.Failed, null, $"session '{_name}' is not open"));
            }
        });
        Receive<KillCommand>(kill => _session?.Forward(kill));
        Receive<CommandTaskStarted>(started => started.Session == _name, started => _running.Add(started.TaskId));
        Receive<CommandTaskEnded>(ended => ended.Session == _name, ended =>
        {
            _running.Remove(ended.TaskId);
            StopIfDrained();
        });
        Receive<HandOff>(_ =>
        {
            _handingOff = true;
            foreach (var proxy in _proxies)
            {
                proxy.Tell(new Moving(_name, _session ?? ActorRefs.Nobody));
            }

            StopIfDrained();
        });
        Receive<Terminated>(t => _proxies.Remove(t.ActorRef));
    }

    public static Props Props(string name, Inventory inventory) => Akka.Actor.Props.Create(() => new SessionEntityActor(name, inventory));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(CommandTaskStarted));
        Context.System.EventStream.Subscribe(Self, typeof(CommandTaskEnded));
    }

    private void Locate(SessionSpec? spec)
    {
        if (Ensure(spec) is not { } session)
        {
            Sender.Tell(new SessionNotFound(_name, _inventory.Sessions.Keys.Order().ToArray()));
            return;
        }

        if (_proxies.Add(Sender))
        {
            Context.Watch(Sender);
        }

        Sender.Tell(new SessionFound(_name, session, _spec!));
        if (_handingOff)
        {
            Sender.Tell(new Moving(_name, session));
        }
    }

    private IActorRef? Ensure(SessionSpec? spec)
    {
        if (_session is null)
        {
            _spec = spec ?? (_inventory.Sessions.TryGetValue(_name, out var configured) ? configured : null);
            if (_spec is null)
            {
                return null;
            }

            _session = Context.ActorOf(SessionActor.Props(_name, _spec), "session");
        }

        return _session;
    }

    private void StopIfDrained()
    {
        if (_handingOff && _running.Count == 0)
        {
            Context.Stop(Self);
        }
    }
}
