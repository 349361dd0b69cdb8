using Akka.Actor;
using RControl.Actors;

namespace RControl;

/// <summary>A command running in a session (the original's <c>CommandTask</c>).</summary>
public sealed class CommandTask : RControlTask
{
    private int _cancelRequested;

    internal CommandTask(Session session, string command, CommandOptions options)
        : base(session, options.OnDone is not null)
    {
        Command = command;
        Options = options;
        Spec = options.ToSpec(command);
    }

    /// <summary>The command line.</summary>
    public string Command { get; }

    /// <summary>The options it runs with.</summary>
    public CommandOptions Options { get; }

    /// <summary>The exit code; null until the process has exited (and after a timeout or kill).</summary>
    public int? ExitCode { get; internal set; }

    /// <summary>True when a timeout killed the command.</summary>
    public bool TimedOut { get; internal set; }

    /// <summary>When the task was created.</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>When the task ended; null while running.</summary>
    public DateTimeOffset? EndedAt { get; internal set; }

    /// <inheritdoc />
    public override string Description => Command;

    internal Protocol.CommandSpec Spec { get; }

    /// <summary>Waits for the end of the command and returns its exit code (null after a timeout or kill).</summary>
    public new async Task<int?> WaitAsync(bool raiseIfError = true, CancellationToken cancellationToken = default)
    {
        await base.WaitAsync(raiseIfError, cancellationToken).ConfigureAwait(false);
        return ExitCode;
    }

    /// <summary>Blocking form of <see cref="WaitAsync"/>; returns the exit code.</summary>
    public new int? Wait(bool raiseIfError = true) => WaitAsync(raiseIfError).GetAwaiter().GetResult();

    /// <summary>Kills the command and its children and waits until the task has ended (with a <see cref="TaskCancelledException"/>).</summary>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        Cancel();
        await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks for the command to be killed and returns at once. The task ends with a <see cref="TaskCancelledException"/>,
    /// which counts as handled: a kill asked for is not reported again by wait-for-tasks.
    /// </summary>
    public void Cancel()
    {
        Volatile.Write(ref _cancelRequested, 1);
        Session.Supervisor.Tell(new TaskSupervisorActor.KillTask(Id));
    }

    /// <summary>True once <see cref="Cancel"/> or <see cref="KillAsync"/> was called.</summary>
    internal bool CancelRequested => Volatile.Read(ref _cancelRequested) == 1;
}
