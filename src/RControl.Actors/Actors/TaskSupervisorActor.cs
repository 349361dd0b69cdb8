using Akka.Actor;
using Akka.Event;
using RControl.Protocol;

namespace RControl.Actors;

/// <summary>
/// One per facade session, in the caller's process: parent of the session's task handle actors, owner of the
/// session's <see cref="TaskRegistry"/> (it alone removes a task, and settles it: task state flows one way, from the
/// task actor through here to the handle), keeps the errors of tasks nobody waited for ("silent errors"), and answers
/// <see cref="WaitForTasks"/> once no task is active, with every error not yet reported.
/// </summary>
internal sealed class TaskSupervisorActor : ReceiveActor
{
    /// <summary>Register a command task and start its handle actor.</summary>
    public sealed record StartCommand(CommandTask Task);

    /// <summary>Register a background task and start its actor.</summary>
    public sealed record StartBackground(BackgroundTask Task);

    /// <summary>Kill a command task.</summary>
    public sealed record KillTask(string TaskId);

    /// <summary>Sent by a task actor once the task has ended and its callbacks have run: the supervisor settles it.</summary>
    public sealed record TaskEnded(RControlTask Task, BaseTaskException? Error, bool ErrorHandled);

    /// <summary>Answered with <see cref="TasksSettled"/> when no task is active.</summary>
    public sealed record WaitForTasks
    {
        public static WaitForTasks Instance { get; } = new();
    }

    /// <summary>Answered with <see cref="Idle"/> when no task is active; reports no errors.</summary>
    public sealed record WhenIdle
    {
        public static WhenIdle Instance { get; } = new();
    }

    /// <summary>The answer to <see cref="WhenIdle"/>.</summary>
    public sealed record Idle
    {
        public static Idle Instance { get; } = new();
    }

    /// <summary>No task is active. <paramref name="Registered"/> counts every task ever registered.</summary>
    public sealed record TasksSettled(IReadOnlyList<BaseTaskException> Errors, long Registered);

    private readonly IActorRef _sessionActor;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TaskRegistry _registry;
    private readonly Dictionary<string, (IActorRef Actor, RControlTask Task)> _active = new();
    private readonly List<RControlTask> _ended = new();
    private readonly List<IActorRef> _waiters = new();
    private readonly List<IActorRef> _idleWaiters = new();
    private long _registered;

    public TaskSupervisorActor(IActorRef sessionActor, TaskRegistry registry)
    {
        _sessionActor = sessionActor;
        _registry = registry;
        Receive<StartCommand>(m =>
        {
            // Sent from here, not from each handle actor's PreStart: one sender keeps the session's queue in Execute order.
            var handle = Register(m.Task, CommandHandleActor.Props(m.Task, _sessionActor));
            _sessionActor.Tell(new ExecuteCommand(m.Task.Id, m.Task.Spec), handle);
        });
        Receive<StartBackground>(m => Register(m.Task, BackgroundTaskActor.Props(m.Task)));
        Receive<KillTask>(m =>
        {
            if (_active.TryGetValue(m.TaskId, out var active))
            {
                active.Actor.Tell(m);
            }
        });
        Receive<TaskEnded>(OnTaskEnded);
        Receive<Terminated>(OnTaskActorTerminated);
        Receive<WaitForTasks>(_ =>
        {
            _waiters.Add(Sender);
            AnswerWaitersIfIdle();
        });
        Receive<WhenIdle>(_ =>
        {
            _idleWaiters.Add(Sender);
            AnswerWaitersIfIdle();
        });
    }

    public static Props Props(IActorRef sessionActor, TaskRegistry registry) => Akka.Actor.Props.Create(() => new TaskSupervisorActor(sessionActor, registry));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(e =>
        {
            _log.Error(e, "A task actor failed");
            return Directive.Stop;
        });

    private IActorRef Register(RControlTask task, Props props)
    {
        _registered++;
        var actor = Context.ActorOf(props, $"task-{task.Id}");
        Context.Watch(actor);
        _active[task.Id] = (actor, task);
        return actor;
    }

    private void OnTaskEnded(TaskEnded ended)
    {
        _active.Remove(ended.Task.Id);
        _registry.Remove(ended.Task);
        ended.Task.Settle(ended.Error, ended.ErrorHandled);
        if (ended.Error is not null && !ended.ErrorHandled)
        {
            _ended.Add(ended.Task);
        }

        AnswerWaitersIfIdle();
    }

    private void OnTaskActorTerminated(Terminated terminated)
    {
        // A task actor that stopped without reporting (a bug, not a task failure) must not hang a wait.
        var lost = _active.Values.FirstOrDefault(a => a.Actor.Equals(terminated.ActorRef));
        if (lost.Task is { } task)
        {
            var error = new TaskException(task.Session, task, "the task actor stopped unexpectedly");
            if (task is CommandTask command)
            {
                command.End(new CommandResult(CommandEnd.Failed, null, command.StartedAt, DateTimeOffset.UtcNow, error));
            }

            OnTaskEnded(new TaskEnded(task, error, false));
        }
    }

    private void AnswerWaitersIfIdle()
    {
        if (_active.Count > 0)
        {
            return;
        }

        _idleWaiters.ForEach(w => w.Tell(Idle.Instance));
        _idleWaiters.Clear();
        if (_waiters.Count == 0)
        {
            return;
        }

        var errors = new List<BaseTaskException>();
        foreach (var task in _ended)
        {
            if (task.TryClaimErrorReport())
            {
                errors.Add(task.Error!);
            }
        }

        _ended.Clear();
        foreach (var waiter in _waiters)
        {
            // The first waiter reports the errors; concurrent waiters see an empty list (each error once).
            waiter.Tell(new TasksSettled(errors.ToArray(), _registered));
            errors.Clear();
        }

        _waiters.Clear();
    }
}
