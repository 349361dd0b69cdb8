using Akka.Actor;
using Akka.Cluster.Sharding;
using RControl.Actors;
using RControl.Files;
using RControl.Protocol;

namespace RControl.Cluster;

/// <summary>
/// This node's handle on one sharded session, wherever in the cluster it is hosted: what the session directory hands
/// out (so a client's session guard talks to it like to a local session). Locates the session through its shard region,
/// sends commands and kills to the session actor it located, relays each task's output and completion to the task's
/// subscriber, and watches the session: when the node hosting it is lost, each task it was running there is reported
/// once as failed (<c>node lost: …</c>), and the next command locates the session again (on a surviving node).
/// File requests take the same way (each through a <see cref="FileCallActor"/>): a file opened on the session is
/// reached on the node that opened it, under a handle this proxy hands out; its node lost, its requests fail with
/// <c>node lost: …</c>.
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

    private sealed record SessionGone(IActorRef Session, string Reason, DateTime GiveUpAt);

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

    /// <summary>How much longer a stopped session's tasks still running wait for the cluster to say whether its node is lost.</summary>
    private static readonly TimeSpan LostWait = TimeSpan.FromSeconds(30);

    /// <summary>A file a client opened on the session through this node: the entity that opened it and its handle there.</summary>
    private sealed class OpenedFile(IActorRef session, long remoteHandle)
    {
        public IActorRef Session { get; } = session;

        public long RemoteHandle { get; } = remoteHandle;

        /// <summary>Why the file can no longer be reached (its node lost, the session moved), once it cannot.</summary>
        public string? Gone { get; set; }

        public long LastUsed { get; set; } = Environment.TickCount64;
    }

    private sealed record FilesGone(IActorRef Session);

    private sealed record SweepFiles
    {
        public static SweepFiles Instance { get; } = new();
    }

    /// <summary>Handles given to clients: unique in the process, so the session directory maps each to its proxy.</summary>
    private static long s_lastHandle;

    private readonly Dictionary<long, OpenedFile> _files = new();
    private readonly TimeSpan _fileIdleTimeout;
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
        _fileIdleTimeout = Configuration.RControlSettings.Get(Context.System).FileIdleTimeout;
        Receive<ExecuteCommand>(execute => _tasks.TryGetValue(execute.TaskId, out var sent) && sent.Session.Equals(Sender), execute =>
        {
            // Sent back by a session that is moving: send it again where the session goes.
            var task = _tasks[execute.TaskId];
            _tasks.Remove(execute.TaskId);
            Send(execute, task.Subscriber);
        });
        Receive<ExecuteCommand>(OnExecute);
        Receive<KillCommand>(OnKill);
        Receive<FileProtocol.IHandleRequest>(OnFileHandleRequest);
        Receive<FileProtocol.IRequest>(request => Send(request, Sender));
        Receive<FileCallActor.Opened>(opened =>
        {
            var handle = Interlocked.Increment(ref s_lastHandle);
            _files[handle] = new OpenedFile(opened.Session, opened.RemoteHandle);
            Context.Parent.Tell(new ClusterSessionsActor.FileHandle(handle, Open: true));
            opened.ReplyTo.Tell(new FileProtocol.FileOpened(handle));
            if (!Timers.IsTimerActive("sweep-files"))
            {
                Timers.StartPeriodicTimer("sweep-files", SweepFiles.Instance, TimeSpan.FromSeconds(Math.Max(1, _fileIdleTimeout.TotalSeconds / 5)));
            }
        });
        Receive<SweepFiles>(_ =>
        {
            // The node hosting a file closes it when unused for the idle timeout (a client that died): forget it here too.
            var cutoff = Environment.TickCount64 - (long)_fileIdleTimeout.TotalMilliseconds;
            foreach (var (handle, _) in _files.Where(f => f.Value.LastUsed < cutoff).ToArray())
            {
                ForgetFile(handle);
            }

            if (_files.Count == 0)
            {
                Timers.Cancel("sweep-files");
            }
        });
        Receive<FilesGone>(gone => FilesUnreachable(gone.Session, gone.Session.Path.Address.HasGlobalScope && IsLost(gone.Session.Path.Address)
            ? $"node lost: {gone.Session.Path.Address} (session '{_name}')"
            : $"session '{_name}' moved off {gone.Session.Path.Address}: open the file again"));
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

            if (t.AddressTerminated)
            {
                FilesUnreachable(t.ActorRef, $"node lost: {t.ActorRef.Path.Address} (session '{_name}')");
            }
            else
            {
                Timers.StartSingleTimer(("files", t.ActorRef), new FilesGone(t.ActorRef), StoppedGrace);
            }

            if (t.AddressTerminated || IsLost(t.ActorRef.Path.Address))
            {
                Fail(t.ActorRef, $"node lost: {t.ActorRef.Path.Address} (session '{_name}')");
            }
            else
            {
                Timers.StartSingleTimer(t.ActorRef, new SessionGone(t.ActorRef, $"session '{_name}' stopped on {t.ActorRef.Path.Address}", DateTime.UtcNow + StoppedGrace + LostWait), StoppedGrace);
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

            if (gone.Session.Path.Address.HasGlobalScope && !gone.Session.Path.Address.Equals(Akka.Cluster.Cluster.Get(Context.System).SelfAddress) && DateTime.UtcNow < gone.GiveUpAt
                && _tasks.Values.Any(t => t.Session.Equals(gone.Session)))
            {
                // A session that stopped normally reported its tasks first: one still running there means its node may be
                // dying faster than the failure detector can say (a loaded machine). Ask the cluster again shortly. Heard
                // of or not: a command with no output yet (a sleep) may be running there, and sending it again would run
                // it twice when the node turns out lost.
                Timers.StartSingleTimer(gone.Session, gone, TimeSpan.FromSeconds(1));
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

        if (message is FileProtocol.IRequest file)
        {
            Context.ActorOf(FileCallActor.Props(file, sender, session, _name, _timeout));
            return;
        }

        if (message is ExecuteCommand execute)
        {
            _tasks[execute.TaskId] = new Task(execute, sender, session);
        }

        session.Tell(message, Self);
    }

    /// <summary>A request on a file opened through this proxy: sent, with the handle of the node that opened it, to that node.</summary>
    private void OnFileHandleRequest(FileProtocol.IHandleRequest request)
    {
        if (!_files.TryGetValue(request.Handle, out var file))
        {
            Sender.Tell(new FileProtocol.Failed(FileErrorKind.Failure, request.Operation, request.Path, "the file is not open"));
            return;
        }

        if (request is FileProtocol.CloseFile)
        {
            ForgetFile(request.Handle);
            if (file.Gone is not null)
            {
                Sender.Tell(FileProtocol.Done.Instance);
                return;
            }
        }
        else if (file.Gone is { } reason)
        {
            Sender.Tell(new FileProtocol.Failed(FileErrorKind.Failure, request.Operation, request.Path, reason));
            return;
        }

        file.LastUsed = Environment.TickCount64;
        FileProtocol.IRequest there = request switch
        {
            FileProtocol.ReadChunk read => read with { Handle = file.RemoteHandle },
            FileProtocol.WriteChunk write => write with { Handle = file.RemoteHandle },
            FileProtocol.CloseFile close => close with { Handle = file.RemoteHandle },
            _ => throw new NotSupportedException($"unknown file request {request.GetType().Name}"),
        };
        Context.ActorOf(FileCallActor.Props(there, Sender, file.Session, _name, _timeout));
    }

    private void ForgetFile(long handle)
    {
        _files.Remove(handle);
        Context.Parent.Tell(new ClusterSessionsActor.FileHandle(handle, Open: false));
    }

    /// <summary>The entity that opened files is gone: their pending and later requests fail with the reason.</summary>
    private void FilesUnreachable(IActorRef session, string reason)
    {
        foreach (var file in _files.Values.Where(f => f.Session.Equals(session)))
        {
            file.Gone ??= reason;
        }

        foreach (var call in Context.GetChildren())
        {
            call.Tell(new FileCallActor.SessionLost(session, reason));
        }
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
    private bool IsLost(Address address) => IsLost(Context.System, address);

    /// <inheritdoc cref="IsLost(Address)"/>
    internal static bool IsLost(ActorSystem system, Address address)
    {
        var state = Akka.Cluster.Cluster.Get(system).State;
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
            else if (message is FileProtocol.IRequest file)
            {
                subscriber.Tell(new FileProtocol.Failed(FileErrorKind.Failure, file.Operation, file.Path, reason));
            }
        }

        _waiting.Clear();
    }
}
