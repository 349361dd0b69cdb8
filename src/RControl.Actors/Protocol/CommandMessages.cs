namespace RControl.Protocol;

// A session actor's protocol: send ExecuteCommand; the sender (the subscriber) receives CommandOutput batches (answer
// each with CommandOutputAck) and finally one CommandCompleted. KillCommand ends a queued or running command.

/// <summary>Run a command. The sender receives its output and completion.</summary>
/// <param name="TaskId">An id chosen by the sender, unique within this session (RControl uses 128 random bits); an id
/// already queued or running here is refused with a failed <see cref="CommandCompleted"/>.</param>
public sealed record ExecuteCommand(string TaskId, CommandSpec Spec) : IRControlWireMessage;

/// <summary>Kill a queued or running command; it completes with <see cref="CommandEnd.Killed"/>.</summary>
public sealed record KillCommand(string TaskId) : IRControlWireMessage;

/// <summary>A batch of lines, in order, sent to the subscriber. Answer each with <see cref="CommandOutputAck"/>.</summary>
public sealed record CommandOutput(string TaskId, OutputStream Stream, string[] Lines) : IRControlWireMessage;

/// <summary>The subscriber has handled a <see cref="CommandOutput"/> batch; the reader may read on.</summary>
public sealed record CommandOutputAck(string TaskId, OutputStream Stream) : IRControlWireMessage;

/// <summary>The command has ended; always the last message the subscriber receives for a task.</summary>
/// <param name="ExitCode">The exit status when <paramref name="End"/> is <see cref="CommandEnd.Exited"/>.</param>
/// <param name="Error">What went wrong when <paramref name="End"/> is <see cref="CommandEnd.Failed"/>.</param>
public sealed record CommandCompleted(string TaskId, CommandEnd End, int? ExitCode, string? Error) : IRControlWireMessage
{
    /// <summary>
    /// The typed exception behind <see cref="Error"/> (e.g. an SSH authentication or host-key failure), when the
    /// engine runs in the subscriber's process; it does not cross Akka.Remote (the message in <see cref="Error"/> does).
    /// </summary>
    public Exception? Cause { get; init; }

    /// <summary>The reason given with <see cref="CommandEnd.Killed"/> when the session closed under a running command.</summary>
    public const string SessionClosedReason = "the session was closed";
}
