using System.Runtime.CompilerServices;
using Akka.Actor;
using RControl.Actors;

namespace RControl;

/// <summary>A command running in a session (the original's <c>CommandTask</c>).</summary>
public sealed class CommandTask : RControlTask
{
    private int _cancelRequested;
    private CommandResult? _result;

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

    /// <summary>How the command ended (immutable; the end callbacks already see it); null while it runs.</summary>
    public CommandResult? Result => Volatile.Read(ref _result);

    /// <summary>The exit code; null until the process has exited (and after a timeout or kill).</summary>
    public int? ExitCode => Result?.ExitCode;

    /// <summary>True when a timeout killed the command.</summary>
    public bool TimedOut => Result?.TimedOut ?? false;

    /// <summary>When the task was created.</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>When the task ended; null while running.</summary>
    public DateTimeOffset? EndedAt => Result?.EndedAt;

    /// <inheritdoc />
    public override string Description => Command;

    internal Protocol.CommandSpec Spec { get; }

    private protected override int? WaitValue => ExitCode;

    /// <summary>The command has ended: its result, as the end callbacks see it (the task settles later).</summary>
    internal void End(CommandResult result)
    {
        SetError(result.Error);
        Volatile.Write(ref _result, result);
    }

    /// <inheritdoc />
    internal override void Settle(BaseTaskException? error, bool errorHandled)
    {
        // The error may have changed since End (an on-done callback threw): the result keeps the final one.
        if (Result is { } result && !ReferenceEquals(result.Error, error))
        {
            Volatile.Write(ref _result, result with { Error = error });
        }

        base.Settle(error, errorHandled);
    }

    /// <summary>
    /// Lets the task be awaited directly: <c>var result = await session.Execute("ls");</c> waits for its end and gives its
    /// <see cref="CommandResult"/>, or throws its error as <see cref="RControlTask.WaitAsync"/> does.
    /// </summary>
    public TaskAwaiter<CommandResult> GetAwaiter() => ResultAsync().GetAwaiter();

    private async Task<CommandResult> ResultAsync()
    {
        await WaitAsync(raiseIfError: true).ConfigureAwait(false);
        return Result ?? throw new InvalidOperationException($"{this} settled without a result");
    }

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
