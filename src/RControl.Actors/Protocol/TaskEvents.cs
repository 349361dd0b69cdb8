using Akka.Actor;

namespace RControl.Protocol;

/// <summary>
/// Published on the actor system's event stream by each command-task actor when its command starts
/// (the daemon logs it and tracks running tasks for a graceful shutdown).
/// </summary>
/// <param name="SessionActor">The session actor running the task (send it <c>KillCommand</c>).</param>
public sealed record CommandTaskStarted(string Session, string TaskId, string Command, IActorRef SessionActor);

/// <summary>Published on the event stream when a command task has ended, however it ended.</summary>
public sealed record CommandTaskEnded(string Session, string TaskId, string Command, CommandEnd End, int? ExitCode, string? Error, TimeSpan Duration);
