using Microsoft.Extensions.Logging;

namespace RControl.Security;

/// <summary>
/// The audit trail (category <c>RControl.Audit</c>): every login, session open/close, command (start and end), file
/// operation, kill and denial, with the caller's identity and source address, as structured log events. Never a secret:
/// specs (which may carry passwords) are not logged, only session names.
/// </summary>
internal sealed class AuditLog(ILogger logger)
{
    /// <summary>The log category.</summary>
    public const string Category = "RControl.Audit";

    /// <summary>A client logged in.</summary>
    public void LoggedIn(string identity, string source, bool admin) =>
        logger.LogInformation("audit: login {Identity} from {Source}{Admin}", identity, source, admin ? " (admin)" : "");

    /// <summary>A login was refused.</summary>
    public void LoginRefused(string source, string reason) =>
        logger.LogWarning("audit: DENIED login from {Source}: {Reason}", source, reason);

    /// <summary>A request was refused by authorization.</summary>
    public void Denied(string identity, string source, string reason) =>
        logger.LogWarning("audit: DENIED {Identity} from {Source}: {Reason}", identity, source, reason);

    /// <summary>A session was opened, found or closed.</summary>
    public void Session(string identity, string source, string action, string session) =>
        logger.LogInformation("audit: {Identity} from {Source} {Action} session {Session}", identity, source, action, session);

    /// <summary>A command started.</summary>
    public void CommandStarted(string identity, string source, string session, string taskId, string command) =>
        logger.LogInformation("audit: {Identity} from {Source} exec on session {Session} task {TaskId}: {Command}", identity, source, session, taskId, command);

    /// <summary>A command ended.</summary>
    public void CommandEnded(string identity, string source, string session, string taskId, string outcome, TimeSpan duration, string command) =>
        logger.LogInformation(
            "audit: {Identity} from {Source} task {TaskId} on session {Session} ended: {Outcome} after {DurationMs} ms: {Command}",
            identity, source, taskId, session, outcome, (long)duration.TotalMilliseconds, command);

    /// <summary>A kill was requested.</summary>
    public void Kill(string identity, string source, string session, string taskId, bool own) =>
        logger.LogInformation("audit: {Identity} from {Source} kill task {TaskId} on session {Session}{Whose}", identity, source, taskId, session, own ? "" : " (another client's)");

    /// <summary>A file operation.</summary>
    public void File(string identity, string source, string session, string operation, string path) =>
        logger.LogInformation("audit: {Identity} from {Source} file {Operation} on session {Session}: {Path}", identity, source, operation, session, path);
}
