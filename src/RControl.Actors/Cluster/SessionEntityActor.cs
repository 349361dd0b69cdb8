using Akka.Actor;
using RControl.Actors;
using RControl.Configuration;
using RControl.Files;
using RControl.Protocol;

namespace RControl.Cluster;

/// <summary>
/// A session as a sharded entity (entity id = session name): hosts the <see cref="SessionActor"/> on this node, answers
/// a <see cref="GetSession"/> or <see cref="OpenSession"/> with itself (the
/// session's location), and passes commands and kills to the session.
/// When its shard is handed off (rebalance, a node leaving), it tells the proxies that located it that the session is
/// closed here (<see cref="SessionClosed"/>: locate it again), sends back every new command to its
/// proxy, lets the commands it accepted end, then stops. Akka's hand-off timeout bounds that wait: a command still
/// running then is killed and reported (never moved silently).
/// </summary>
internal sealed class SessionEntityActor : ReceiveActor
{
    /// <summary>The hand-off stop message (local: sent by this node's shard).</summary>
    public sealed record HandOff
    {
        public static HandOff Instance { get; } = new();
    }

    private readonly string _name;
    private readonly Inventory _inventory;
    private readonly HashSet<IActorRef> _proxies = new();
    private readonly HashSet<string> _accepted = new(StringComparer.Ordinal); // accepted here, not yet ended
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
        Receive<ExecuteCommand>(OnExecute);
        Receive<KillCommand>(kill => _session?.Forward(kill));
        Receive<FileProtocol.IRequest>(OnFileRequest);
        Receive<CommandTaskEnded>(ended => ended.Session == _name, ended =>
        {
            _accepted.Remove(ended.TaskId);
            StopIfDrained();
        });
        Receive<HandOff>(_ =>
        {
            _handingOff = true;
            foreach (var proxy in _proxies)
            {
                proxy.Tell(new SessionClosed(_name));
            }

            StopIfDrained();
        });
        Receive<Terminated>(t => _proxies.Remove(t.ActorRef));
    }

    public static Props Props(string name, Inventory inventory) => Akka.Actor.Props.Create(() => new SessionEntityActor(name, inventory));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(CommandTaskEnded));

    private void OnExecute(ExecuteCommand execute)
    {
        if (_handingOff)
        {
            // Moving: the proxy sends it again once it has located the session on its new node.
            Sender.Tell(new SessionClosed(_name));
            Sender.Tell(execute);
            return;
        }

        if (Ensure(null) is not { } session)
        {
            Sender.Tell(new CommandCompleted(execute.TaskId, CommandEnd.Failed, null, $"session '{_name}' is not open"));
            return;
        }

        _accepted.Add(execute.TaskId);
        session.Forward(execute);
    }

    /// <summary>
    /// A file operation on the session (from a proxy, for a client of any node): run by this node's file service on the
    /// session's disk or SFTP, answered straight to the asker. The session actor is not needed for it.
    /// </summary>
    private void OnFileRequest(FileProtocol.IRequest request)
    {
        _spec ??= _inventory.Sessions.GetValueOrDefault(_name);
        if (_spec is null)
        {
            Sender.Tell(new FileProtocol.Failed(FileErrorKind.Failure, request.Operation, request.Path, $"session '{_name}' is not open"));
            return;
        }

        Context.ActorSelection($"/user/{FileServiceActor.ActorName}").Tell(new FileServiceActor.ForSession(_name, _spec, request), Sender);
    }

    private void Locate(SessionSpec? spec)
    {
        if (Ensure(spec) is null)
        {
            Sender.Tell(new SessionNotFound(_name, _inventory.Sessions.Keys.Order().ToArray()));
            return;
        }

        if (_proxies.Add(Sender))
        {
            Context.Watch(Sender);
        }

        Sender.Tell(new SessionFound(_name, Self, _spec!));
        if (_handingOff)
        {
            Sender.Tell(new SessionClosed(_name));
        }
    }

    private IActorRef? Ensure(SessionSpec? spec)
    {
        if (_session is null)
        {
            _spec = spec ?? _spec ?? _inventory.Sessions.GetValueOrDefault(_name);
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
        if (_handingOff && _accepted.Count == 0)
        {
            Context.Stop(Self);
        }
    }
}
