using Akka.Actor;
using Akka.Event;
using RControl.Actors;
using RControl.Configuration;

namespace RControl;

/// <summary>
/// A place where commands run (the original's <c>BaseSession</c>). Every method returns at once or is
/// async; tasks are registered with the session's supervisor before <see cref="Execute"/> returns.
/// </summary>
public abstract partial class Session : IAsyncDisposable
{
    private static long _lastSupervisor;
    private readonly TaskRegistry _tasks = new();
    private readonly ILoggingAdapter _log;
    private int _closed;

    private protected Session(RControlSystem system, string name, IActorRef sessionActor)
    {
        System = system;
        Name = name;
        SessionActor = sessionActor;
        Supervisor = system.ActorSystem.ActorOf(
            TaskSupervisorActor.Props(sessionActor, _tasks),
            $"rcontrol-tasks-{Interlocked.Increment(ref _lastSupervisor)}");
        system.TrackSupervisor(Supervisor);
        _log = Logging.GetLogger(system.ActorSystem, $"RControl.Session.{name}");
    }

    /// <summary>The session's name (used in errors, logs and output prefixes).</summary>
    public string Name { get; }

    /// <summary>The RControl system the session belongs to.</summary>
    public RControlSystem System { get; }

    /// <summary>The session actor (possibly remote). Send it <see cref="Protocol.ExecuteCommand"/> to run commands without the facade.</summary>
    public IActorRef SessionActor { get; }

    /// <summary>Close the session at the end of <see cref="RunScopedAsync"/> (default true).</summary>
    public bool AutoClose { get; set; } = true;

    /// <summary>True once <see cref="CloseAsync"/> was called.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) == 1;

    /// <summary>The tasks registered and not yet ended, oldest first.</summary>
    public IReadOnlyList<RControlTask> Tasks => _tasks.Snapshot;

    internal IActorRef Supervisor { get; }

    /// <summary>Starts a command and returns its handle at once.</summary>
    /// <exception cref="SessionException">The session is closed.</exception>
    /// <exception cref="ArgumentException">The command is empty or an option is out of range.</exception>
    public CommandTask Execute(string command, CommandOptions? options = null)
    {
        ThrowIfClosed();
        var task = new CommandTask(this, command, options ?? CommandOptions.Default);
        _tasks.Add(task);
        Supervisor.Tell(new TaskSupervisorActor.StartCommand(task));
        return task;
    }

    /// <summary>Runs a delegate in the background as a task of this session (the original's <c>ThreadableTask</c>).</summary>
    public BackgroundTask StartBackground(string description, Func<BackgroundTask, CancellationToken, Task> work, Action<BackgroundTask>? onDone = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        ThrowIfClosed();
        var task = new BackgroundTask(this, description, work, onDone);
        _tasks.Add(task);
        Supervisor.Tell(new TaskSupervisorActor.StartBackground(task));
        return task;
    }

    /// <summary>
    /// Waits until no task of this session runs (including tasks started by callbacks meanwhile), then
    /// returns — or throws as <see cref="TaskErrorsException"/> — every error not yet reported: each once,
    /// never those handled by an on-done callback or already raised by an explicit wait.
    /// </summary>
    public async Task<IReadOnlyList<BaseTaskException>> WaitForTasksAsync(bool raiseIfError = true, CancellationToken cancellationToken = default)
    {
        var settled = await WaitSettledAsync(cancellationToken).ConfigureAwait(false);
        if (raiseIfError && settled.Errors.Count > 0)
        {
            throw new TaskErrorsException(settled.Errors);
        }

        return settled.Errors;
    }

    /// <summary>Blocking form of <see cref="WaitForTasksAsync"/>.</summary>
    public IReadOnlyList<BaseTaskException> WaitForTasks(bool raiseIfError = true) =>
        WaitForTasksAsync(raiseIfError).GetAwaiter().GetResult();

    /// <summary>
    /// Closes the session: queued and running commands are killed and end with a <see cref="TaskCancelledException"/>
    /// (reported by a later wait-for-tasks). Returns once every kill — also those of earlier timeouts and
    /// <see cref="CommandTask.Cancel"/>s — was acknowledged (locally: no process of the command's group is left),
    /// or after <see cref="KillAcknowledgeTimeout"/>, logging the commands that may still run. Further
    /// <see cref="Execute"/> calls throw.
    /// </summary>
    public virtual async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        try
        {
            await SessionActor.GracefulStop(RControlSettings.SessionStopTimeout).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            _log.Warning("Session {0} did not stop within {1}s", Name, RControlSettings.SessionStopTimeout.TotalSeconds);
        }

        await Supervisor.Ask<TaskSupervisorActor.Idle>(TaskSupervisorActor.WhenIdle.Instance, cancellationToken).ConfigureAwait(false);
        var unacknowledged = await PendingKills.Get(System.ActorSystem)
            .WaitAsync(SessionActor.Path, KillAcknowledgeTimeout, cancellationToken).ConfigureAwait(false);
        if (unacknowledged.Count > 0)
        {
            _log.Warning(
                "Session {0} closed, but these kills were not acknowledged within {1}s; the commands may still run: {2}",
                Name,
                KillAcknowledgeTimeout.TotalSeconds,
                string.Join("; ", unacknowledged));
        }

        System.Forget(SessionActor);
        await CloseFileSystemAsync().ConfigureAwait(false);
    }

    /// <summary>How long closing a session (or disposing the system) waits for the kills of its commands to be acknowledged.</summary>
    public static TimeSpan KillAcknowledgeTimeout { get; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The original's <c>with session:</c> block: runs the body, waits for every task, closes the session
    /// when <see cref="AutoClose"/> is set, then throws the task errors as <see cref="TaskErrorsException"/>.
    /// If the body itself threw, its exception goes through unchanged and the task errors are logged.
    /// </summary>
    public Task RunScopedAsync(Func<Session, Task> body, CancellationToken cancellationToken = default) =>
        Scope.RunAsync(
            () => body(this),
            ct => WaitForTasksAsync(raiseIfError: false, ct),
            () => AutoClose ? CloseAsync(CancellationToken.None) : Task.CompletedTask,
            _log,
            cancellationToken);

    /// <summary>Closes the session.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name}({Name})";

    internal async Task<TaskSupervisorActor.TasksSettled> WaitSettledAsync(CancellationToken cancellationToken) =>
        await Supervisor.Ask<TaskSupervisorActor.TasksSettled>(TaskSupervisorActor.WaitForTasks.Instance, cancellationToken).ConfigureAwait(false);

    /// <summary>Marks the session closed (for subclasses that close differently); false when it already was.</summary>
    private protected bool TryMarkClosed() => Interlocked.Exchange(ref _closed, 1) == 0;

    private void ThrowIfClosed()
    {
        if (IsClosed)
        {
            throw new SessionException($"session '{Name}' is closed");
        }
    }
}
