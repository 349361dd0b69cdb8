using Microsoft.Extensions.Logging;
using RControl.Jobs;

namespace RControl.Security;

/// <summary>
/// The audit trail (category <c>RControl.Audit</c>): every login, session open/close, command (start and end), job,
/// file operation, kill and denial, with the caller's identity and source address, as structured log events — and,
/// in a daemon, persisted in its store (<see cref="IAuditTrail"/>). Never a secret: specs (which may carry passwords)
/// are not logged, only session names.
/// </summary>
internal sealed class AuditLog(ILogger logger, IAuditTrail? trail = null)
{
    /// <summary>The log category.</summary>
    public const string Category = "RControl.Audit";

    /// <summary>A client logged in.</summary>
    public void LoggedIn(string identity, string source, bool admin)
    {
        logger.LogInformation("audit: login {Identity} from {Source}{Admin}", identity, source, admin ? " (admin)" : "");
        Persist(identity, source, "login", admin ? "logged in (admin)" : "logged in");
    }

    /// <summary>A client's login ended (its client went away or logged out).</summary>
    public void LoggedOut(string identity, string source)
    {
        logger.LogInformation("audit: logout {Identity} from {Source}", identity, source);
        Persist(identity, source, "logout", "logged out");
    }

    /// <summary>A login was refused.</summary>
    public void LoginRefused(string source, string reason)
    {
        logger.LogWarning("audit: DENIED login from {Source}: {Reason}", source, reason);
        Persist("", source, "denied", $"login: {reason}");
    }

    /// <summary>A request was refused by authorization.</summary>
    public void Denied(string identity, string source, string reason)
    {
        logger.LogWarning("audit: DENIED {Identity} from {Source}: {Reason}", identity, source, reason);
        Persist(identity, source, "denied", reason);
    }

    /// <summary>A session was opened, found or closed.</summary>
    public void Session(string identity, string source, string action, string session)
    {
        logger.LogInformation("audit: {Identity} from {Source} {Action} session {Session}", identity, source, action, session);
        Persist(identity, source, "session", $"{action} session {session}");
    }

    /// <summary>A command started.</summary>
    public void CommandStarted(string identity, string source, string session, string taskId, string command)
    {
        logger.LogInformation("audit: {Identity} from {Source} exec on session {Session} task {TaskId}: {Command}", identity, source, session, taskId, command);
        Persist(identity, source, "exec", $"session {session} task {taskId} started: {command}");
    }

    /// <summary>A command ended.</summary>
    public void CommandEnded(string identity, string source, string session, string taskId, string outcome, TimeSpan duration, string command)
    {
        logger.LogInformation(
            "audit: {Identity} from {Source} task {TaskId} on session {Session} ended: {Outcome} after {DurationMs} ms: {Command}",
            identity, source, taskId, session, outcome, (long)duration.TotalMilliseconds, command);
        Persist(identity, source, "exec", $"session {session} task {taskId} ended: {outcome} after {(long)duration.TotalMilliseconds} ms: {command}");
    }

    /// <summary>A kill was requested.</summary>
    public void Kill(string identity, string source, string session, string taskId, bool own)
    {
        logger.LogInformation("audit: {Identity} from {Source} kill task {TaskId} on session {Session}{Whose}", identity, source, taskId, session, own ? "" : " (another client's)");
        Persist(identity, source, "kill", $"task {taskId} on session {session}{(own ? "" : " (another client's)")}");
    }

    /// <summary>A file operation.</summary>
    public void File(string identity, string source, string session, string operation, string path)
    {
        logger.LogInformation("audit: {Identity} from {Source} file {Operation} on session {Session}: {Path}", identity, source, operation, session, path);
        Persist(identity, source, "file", $"{operation} on session {session}: {path}");
    }

    /// <summary>Something happened to a job (submitted, killed, ended, interrupted).</summary>
    public void Job(string identity, string source, string jobId, string action, string detail)
    {
        logger.LogInformation("audit: {Identity} from {Source} job {JobId} {Action}: {Detail}", identity, source, jobId, action, detail);
        Persist(identity, source, action == "killed" ? "kill" : "job", $"job {jobId} {action}: {detail}");
    }

    private void Persist(string identity, string source, string action, string detail) =>
        trail?.Record(new AuditEntry(DateTimeOffset.UtcNow, identity, source, action, detail));
}
