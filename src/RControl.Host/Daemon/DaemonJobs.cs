using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RControl.Jobs;

namespace RControl.Host.Daemon;

/// <summary>
/// Opens the daemon's job store before the engine starts: creates or migrates the schema, and marks every task a killed
/// daemon left running as interrupted — each reported once, in the log and the audit trail.
/// </summary>
internal static class DaemonJobs
{
    public const string InterruptedReason = "interrupted (daemon restarted)";

    /// <summary>The job service, or null (after one line on <paramref name="error"/>) when the store cannot be used.</summary>
    public static async Task<JobService?> OpenAsync(DaemonConfig config, TextWriter error, CancellationToken cancellationToken)
    {
        Store.SqlJobStore? store = null;
        try
        {
            store = config.Store.Open(DaemonCluster.NodeStateDirectory(config));
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            var interrupted = await store.InterruptUnfinishedAsync(now, InterruptedReason, cancellationToken).ConfigureAwait(false);
            if (interrupted.Count > 0)
            {
                using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
                }));
                var log = loggers.CreateLogger("RControl.Jobs");
                var audit = new List<JobWrite>();
                foreach (var (jobId, owner, task) in interrupted)
                {
                    log.LogWarning("job {JobId} of {Owner}: task {Task} on session {Session} {Reason}: {Command}", jobId, owner, task.Label, task.Session, InterruptedReason, task.Command);
                    audit.Add(new JobWrite.Audited(new AuditEntry(now, owner, "daemon", "job", $"job {jobId} task {task.Label} on session {task.Session} {InterruptedReason}: {task.Command}")));
                }

                await store.WriteAsync(audit, cancellationToken).ConfigureAwait(false);
            }

            return new JobService(store, config.Store.Jobs);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            await error.WriteLineAsync($"rcontrol daemon: job store ({config.Store.Provider}): {DaemonRunner.Describe(e)}").ConfigureAwait(false);
            return null;
        }
    }
}
