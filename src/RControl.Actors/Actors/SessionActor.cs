using Akka.Actor;
using Akka.Event;
using RControl.Configuration;
using RControl.Diagnostics;
using RControl.Protocol;
using RControl.Readers;
using RControl.Transports;

namespace RControl.Actors;

/// <summary>
/// One session (a place where commands run). Starts a <see cref="CommandTaskActor"/> child per
/// command, never more at once than the transport allows: further commands wait here, in order.
/// </summary>
/// <remarks>
/// Protocol: send <see cref="ExecuteCommand"/>; the sender (the subscriber) receives
/// <see cref="CommandOutput"/> batches (answer each with <see cref="CommandOutputAck"/>)
/// and finally one <see cref="CommandCompleted"/>. <see cref="KillCommand"/> ends a queued or running command.
/// </remarks>
internal sealed class SessionActor : ReceiveActor
{
    private sealed record Pending(ExecuteCommand Request, IActorRef Subscriber, long QueuedAt);

    /// <summary>How long the transport stays open for the kills of the commands that ran when the session stopped.</summary>
    private static readonly TimeSpan TransportCloseDelay = TimeSpan.FromSeconds(5);

    private readonly string _name;
    private readonly ICommandTransport _transport;
    private readonly LineReaderSettings _readerSettings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LinkedList<Pending> _queue = new();
    private readonly HashSet<string> _queuedIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (IActorRef Child, IActorRef Subscriber)> _running = new();
    private readonly HashSet<string> _finished = new();
    private readonly List<(ExecuteCommand Execute, IActorRef Sender)> _afterStop = new();
    private long _childCounter;

    public SessionActor(string name, SessionSpec spec)
    {
        _name = name;
        var settings = RControlSettings.Get(Context.System);
        _transport = SessionFactory.CreateTransport(spec, settings.SshConnects);
        _readerSettings = settings.Readers;

        Receive<ExecuteCommand>(e =>
        {
            if (_running.ContainsKey(e.TaskId) && _finished.Contains(e.TaskId))
            {
                // The task with this id has ended and its actor is stopping: the id is free once it has stopped.
                _afterStop.Add((e, Sender));
                return;
            }

            if (_running.ContainsKey(e.TaskId) || !_queuedIds.Add(e.TaskId))
            {
                // Never mix two tasks under one id: the second is refused, the first runs on untouched.
                Sender.Tell(new CommandCompleted(e.TaskId, CommandEnd.Failed, null, $"task id '{e.TaskId}' is already in use in session '{_name}'"));
                return;
            }

            _queue.AddLast(new Pending(e, Sender, System.Diagnostics.Stopwatch.GetTimestamp()));
            StartQueued();
        });
        Receive<KillCommand>(OnKill);
        Receive<CommandTaskActor.Finished>(f => _finished.Add(f.TaskId));
        Receive<Terminated>(OnTaskTerminated);
    }

    public static Props Props(string name, SessionSpec spec) => Akka.Actor.Props.Create(() => new SessionActor(name, spec));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(e =>
        {
            // A task actor that throws is stopped; its subscriber is told in OnTaskTerminated.
            _log.Error(e, "Task actor in session {0} failed", _name);
            return Directive.Stop;
        });

    private void StartQueued()
    {
        var limit = _transport.MaxConcurrentCommands ?? int.MaxValue;
        while (_queue.First is { } first && _running.Count < limit)
        {
            _queue.RemoveFirst();
            var (request, subscriber) = (first.Value.Request, first.Value.Subscriber);
            _queuedIds.Remove(request.TaskId);
            EngineInstruments.Queued("session", first.Value.QueuedAt);

            var child = Context.ActorOf(
                CommandTaskActor.Props(request.TaskId, request.Spec, _transport, subscriber, _readerSettings, _name),
                $"task-{++_childCounter}");
            Context.Watch(child);
            _running[request.TaskId] = (child, subscriber);
        }
    }

    private void OnKill(KillCommand kill)
    {
        if (_running.TryGetValue(kill.TaskId, out var running))
        {
            running.Child.Forward(kill);
            return;
        }

        for (var node = _queue.First; node is not null; node = node.Next)
        {
            if (node.Value.Request.TaskId == kill.TaskId)
            {
                _queue.Remove(node);
                _queuedIds.Remove(kill.TaskId);
                node.Value.Subscriber.Tell(new CommandCompleted(kill.TaskId, CommandEnd.Killed, null, null));
                return;
            }
        }
    }

    private void OnTaskTerminated(Terminated terminated)
    {
        foreach (var (taskId, running) in _running)
        {
            if (!running.Child.Equals(terminated.ActorRef))
            {
                continue;
            }

            _running.Remove(taskId);
            if (!_finished.Remove(taskId))
            {
                running.Subscriber.Tell(new CommandCompleted(taskId, CommandEnd.Failed, null, "the task actor failed"));
            }

            foreach (var waiting in _afterStop.Where(w => w.Execute.TaskId == taskId).ToArray())
            {
                _afterStop.Remove(waiting);
                Self.Tell(waiting.Execute, waiting.Sender);
            }

            break;
        }

        StartQueued();
    }

    protected override void PostStop()
    {
        foreach (var pending in _queue)
        {
            pending.Subscriber.Tell(new CommandCompleted(pending.Request.TaskId, CommandEnd.Killed, null, CommandCompleted.SessionClosedReason));
        }

        // The children have stopped and their kills are under way: let them finish on the transport (an SSH kill needs
        // the connection) before it is disposed. Closing the session waits for both.
        var pendingKills = PendingKills.Get(Context.System);
        var kills = Task.WhenAny(pendingKills.WhenTrackedSoFar(Self.Path), Task.Delay(TransportCloseDelay));
        var transport = _transport;
        pendingKills.Track(Self.Path, $"session '{_name}': closing its transport", Task.Run(async () =>
        {
            await kills.ConfigureAwait(false);
            await transport.DisposeAsync().ConfigureAwait(false);
        }));
    }
}
