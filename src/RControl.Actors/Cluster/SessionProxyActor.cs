using Akka.Actor;
using Akka.Cluster.Sharding;
using RControl.Actors;
using RControl.Protocol;

namespace RControl.Cluster;

/// <summary>
/// This node's handle on one sharded session, wherever in the cluster it is hosted: what the session directory hands
/// out (so a client's session guard talks to it like to a local session). Locates the session through its shard region,
/// sends commands and kills to the session actor it located, relays each task's output and completion to the task's
/// subscriber, and watches the session: when the node hosting it is lost, each task it was running there is reported
/// once as failed (<c>node lost: …</c>), and the next command locates the session again (on a surviving node).
/// </summary>
internal sealed class SessionProxyActor : ReceiveActor, IWithTimers
{
    private sealed record LocateTimedOut(int Attempt);

    /// <summary>Asks the region again while a cluster recovers (a lost node's shards and coordinators move).</summary>
    private sealed record Relocate
    {
        public static Relocate Instance { get; } = new();
    }

    private static readonly TimeSpan RelocateInterval = TimeSpan.FromSeconds(2);

    private sealed record SessionGone(IActorRef Session, string Reason);

    private sealed class Task(ExecuteCommand execute, IActorRef subscriber, IActorRef session)
    {
        public ExecuteCommand Execute { get; } = execute;

        public IActorRef Subscriber { get; } = subscriber;

        /// <summary>The session's location (its entity) the command was sent to.</summary>
        public IActorRef Session { get; } = session;

        /// <summary>Whether anything of the task came back (so it ran and must never be sent again).</summary>
        public bool Heard { get; set; }
    }

    /// <summary>How long a normally stopped session's tasks get for their own completions before they are reported failed.</summary>
    private static readonly TimeSpan StoppedGrace = TimeSpan.FromSeconds(3);

    private readonly string _name;
    private readonly SessionSpec? _spec;
    private readonly IActorRef _region;
    private readonly TimeSpan _timeout;
    private readonly string _zone;
    private readonly Dictionary<string, Task> _tasks = new(StringComparer.Ordinal);
    private readonly List<(object Message, IActorRef Sender)> _waiting = new();
    private IActorRef? _session;
    private bool _locating;
    private int _attempt;

    public SessionProxyActor(string name, SessionSpec? spec, IActorRef region, TimeSpan timeout, string? zone)
    {
        _name = name;
        _spec = spec;
        _region = region;
        _timeout = timeout;
        _zone = zone is null ? "any node" : $"a node of zone '{zone}'";
        Receive<ExecuteCommand>(execute => _tasks.TryGetValue(execute.TaskId, out var sent) && sent.Session.Equals(Sender), execute =>
        {
            // Sent back by a session that is moving: send it again where the session goes.
            var task = _tasks[execute.TaskId];
            _tasks.Remove(execute.TaskId);
            Send(execute, task.Subscriber);
        });
        Receive<ExecuteCommand>(OnExecute);
        Receive<KillCommand>(OnKill);
        Receive<CommandOutput>(output =>
        {
            if (_tasks.TryGetValue(output.TaskId, out var task))
            {
                task.Heard = true;
                task.Subscriber.Tell(output, Sender); // acknowledgements go straight to the task actor
            }
        });
        Receive<CommandCompleted>(completed =>
        {
            if (_tasks.Remove(completed.TaskId, out var task))
            {
                task.Subscriber.Tell(completed, Self);
            }
        });
        Receive<SessionFound>(found =>
        {
            _locating = false;
            Timers.Cancel("relocate");
            _session = found.Session;
            Context.Watch(found.Session);
            foreach (var (message, sender) in _waiting)
            {
                Send(message, sender);
            }

            _waiting.Clear();
        });
        Receive<SessionNotFound>(_ => FailWaiting($"session '{_name}' is not known to the node hosting it"));
        Receive<LocateTimedOut>(t =>
        {
            if (_locating && t.Attempt == _attempt)
            {
                _locating = false;
                Timers.Cancel("relocate");
                FailWaiting($"session '{_name}' could not be located within {_timeout.TotalSeconds:0.#} s (is {_zone} up?)");
            }
        });
        Receive<Relocate>(_ =>
        {
            if (_locating)
            {
                _region.Tell(new ShardingEnvelope(_name, LocateMessage()), Self);
            }
        });
        Receive<SessionClosed>(_ =>
        {
            if (Equals(_session, Sender))
            {
                _session = null; // moving: new commands locate it again; the running ones finish where they are
            }
        });
        Receive<Terminated>(t =>
        {
            if (Equals(_session, t.ActorRef))
            {
                _session = null;
            }

            if (t.AddressTerminated || IsLost(t.ActorRef.Path.Address))
            {
                Fail(t.ActorRef, $"node lost: {t.ActorRef.Path.Address} (session '{_name}')");
            }
            else
            {
                Timers.StartSingleTimer(t.ActorRef, new SessionGone(t.ActorRef, $"session '{_name}' stopped on {t.ActorRef.Path.Address}"), StoppedGrace);
            }
        });
        Receive<SessionGone>(gone =>
        {
            if (IsLost(gone.Session.Path.Address))
            {
                // Its node turned out lost within the grace (the death was seen before the failure detector spoke).
                Fail(gone.Session, $"node lost: {gone.Session.Path.Address} (session '{_name}')");
                return;
            }

            // A session that stopped normally reported what ran there; a command still unheard of reached it too late
            // (it had moved or closed): it never ran, so it is sent again.
            foreach (var (taskId, task) in _tasks.Where(t => t.Value.Session.Equals(gone.Session) && !t.Value.Heard).ToArray())
            {
                _tasks.Remove(taskId);
                Send(task.Execute, task.Subscriber);
            }

            Fail(gone.Session, gone.Reason);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string name, SessionSpec? spec, IActorRef region, TimeSpan timeout, string? zone) =>
        Akka.Actor.Props.Create(() => new SessionProxyActor(name, spec, region, timeout, zone));

    private void OnExecute(ExecuteCommand execute)
    {
        if (_tasks.ContainsKey(execute.TaskId) || _waiting.Any(w => w.Message is ExecuteCommand e && e.TaskId == execute.TaskId))
        {
            Sender.Tell(new CommandCompleted(execute.TaskId, CommandEnd.Failed, null, $"task id '{execute.TaskId}' is already in use in session '{_name}'"));
            return;
        }

        Send(execute, Sender);
    }

    private void OnKill(KillCommand kill)
    {
        if (_tasks.TryGetValue(kill.TaskId, out var task))
        {
            task.Session.Tell(kill, Self);
            return;
        }

        var index = _waiting.FindIndex(w => w.Message is ExecuteCommand e && e.TaskId == kill.TaskId);
        if (index >= 0)
        {
            var (_, subscriber) = _waiting[index];
            _waiting.RemoveAt(index);
            subscriber.Tell(new CommandCompleted(kill.TaskId, CommandEnd.Killed, null, null), Self);
        }
    }

    private void Send(object message, IActorRef sender)
    {
        if (_session is not { } session)
        {
            _waiting.Add((message, sender));
            Locate();
            return;
        }

        if (message is ExecuteCommand execute)
        {
            _tasks[execute.TaskId] = new Task(execute, sender, session);
        }

        session.Tell(message, Self);
    }

    private void Locate()
    {
        if (_locating)
        {
            return;
        }

        _locating = true;
        _attempt++;
        _region.Tell(new ShardingEnvelope(_name, LocateMessage()), Self);
        Timers.StartPeriodicTimer("relocate", Relocate.Instance, RelocateInterval);
        Timers.StartSingleTimer("locate", new LocateTimedOut(_attempt), _timeout);
    }

    private object LocateMessage() => _spec is null ? new GetSession(_name) : new OpenSession(_name, _spec);

    /// <summary>
    /// Whether a node is gone or going: not a member that is Joining, WeaklyUp or Up, or unreachable. (Akka may deliver
    /// the session's termination from the quarantine of a SIGKILLed node before the cluster's address termination.)
    /// </summary>
    private bool IsLost(Address address)
    {
        var state = Akka.Cluster.Cluster.Get(Context.System).State;
        var alive = state.Members.Any(m => m.Address.Equals(address)
            && m.Status is Akka.Cluster.MemberStatus.Up or Akka.Cluster.MemberStatus.WeaklyUp or Akka.Cluster.MemberStatus.Joining);
        return !alive || state.Unreachable.Any(m => m.Address.Equals(address));
    }

    private void Fail(IActorRef session, string reason)
    {
        foreach (var (taskId, task) in _tasks.Where(t => t.Value.Session.Equals(session)).ToArray())
        {
            _tasks.Remove(taskId);
            task.Subscriber.Tell(new CommandCompleted(taskId, CommandEnd.Failed, null, reason), Self);
        }
    }

    private void FailWaiting(string reason)
    {
        foreach (var (message, subscriber) in _waiting)
        {
            if (message is ExecuteCommand execute)
            {
                subscriber.Tell(new CommandCompleted(execute.TaskId, CommandEnd.Failed, null, reason), Self);
            }
        }

        _waiting.Clear();
    }
}
