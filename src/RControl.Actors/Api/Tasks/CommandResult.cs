using RControl.Protocol;

namespace RControl;

/// <summary>
/// How a command task ended, set once when it ends and never changed: the callbacks, <see cref="CommandTask.Result"/>,
/// <see cref="RControlTask.WaitAsync"/> and the CLI all read this one record.
/// </summary>
/// <param name="Outcome">How the command ended (exited, timed out, killed, failed).</param>
/// <param name="ExitCode">The exit status when <paramref name="Outcome"/> is <see cref="CommandEnd.Exited"/>; null otherwise.</param>
/// <param name="StartedAt">When the task was created.</param>
/// <param name="EndedAt">When the task ended.</param>
/// <param name="Error">The task's error, null on success. When the command could not start, its
/// <see cref="Exception.InnerException"/> is the typed cause (in the engine's process: e.g. an
/// <see cref="SshAuthenticationFailedException"/> or a <see cref="HostKeyVerificationException"/>).</param>
public sealed record CommandResult(CommandEnd Outcome, int? ExitCode, DateTimeOffset StartedAt, DateTimeOffset EndedAt, BaseTaskException? Error)
{
    /// <summary>True when a total or output timeout killed the command.</summary>
    public bool TimedOut => Outcome is CommandEnd.TimedOut or CommandEnd.OutputTimedOut;

    /// <summary>From creation to end.</summary>
    public TimeSpan Duration => EndedAt - StartedAt;

    /// <summary>True when the task ended without error.</summary>
    public bool Succeeded => Error is null;
}
