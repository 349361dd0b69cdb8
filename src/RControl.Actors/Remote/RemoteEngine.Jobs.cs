using System.Runtime.CompilerServices;
using RControl.Jobs;
using P = RControl.Jobs.JobProtocol;

namespace RControl.Remote;

/// <summary>Jobs: work the daemon runs on its own, whatever becomes of this client (docs/jobs.md).</summary>
public sealed partial class RemoteEngine
{
    /// <summary>How long one follow or wait request is held open by the daemon before it answers anyway.</summary>
    private static readonly TimeSpan HoldOpen = TimeSpan.FromSeconds(5);

    /// <summary>Submits a job: the daemon runs it on its own (its tasks do not die with this client).</summary>
    /// <returns>The job's id.</returns>
    /// <exception cref="AccessDeniedException">This client may not exec on one of the job's sessions, or the job is malformed.</exception>
    public async Task<string> SubmitAsync(JobRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var submitted = await JobAskAsync<P.Submitted>(new P.Submit(request), $"submit job '{request.Description}'", cancellationToken).ConfigureAwait(false);
        return submitted.JobId;
    }

    /// <summary>A job with its tasks.</summary>
    /// <exception cref="JobNotFoundException">The daemon knows no such job (never submitted, or deleted by retention).</exception>
    /// <exception cref="AccessDeniedException">The job is another client's and this one may not see it.</exception>
    public async Task<JobInfo> GetJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        return (await JobAskAsync<P.Found>(new P.Get(jobId), $"get job {jobId}", cancellationToken).ConfigureAwait(false)).Job;
    }

    /// <summary>A job with its tasks; with <paramref name="waitForStore"/>, rides out an outage of the daemon's job store as <see cref="WaitForJobAsync"/> does.</summary>
    /// <exception cref="JobNotFoundException">The daemon knows no such job (never submitted, or deleted by retention).</exception>
    /// <exception cref="AccessDeniedException">The job is another client's and this one may not see it.</exception>
    public Task<JobInfo> GetJobAsync(string jobId, bool waitForStore, CancellationToken cancellationToken = default) =>
        waitForStore ? new StoreOutage(this).RideAsync(() => GetJobAsync(jobId, cancellationToken), cancellationToken) : GetJobAsync(jobId, cancellationToken);

    /// <summary>Jobs this client may see, newest first (without their tasks).</summary>
    public async Task<IReadOnlyList<JobInfo>> ListJobsAsync(JobQuery? query = null, CancellationToken cancellationToken = default) =>
        (await JobAskAsync<P.JobList>(new P.List(query ?? new JobQuery()), "list jobs", cancellationToken).ConfigureAwait(false)).Jobs;

    /// <summary>Kills a job's running tasks and skips its queued ones.</summary>
    /// <returns>False when the job had already ended.</returns>
    public async Task<bool> KillJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        return (await JobAskAsync<P.KillAccepted>(new P.Kill(jobId), $"kill job {jobId}", cancellationToken).ConfigureAwait(false)).WasRunning;
    }

    /// <summary>
    /// Raised once per outage when <see cref="WaitForJobAsync"/>, a following <see cref="ReadJobOutputAsync"/> or
    /// <see cref="GetJobAsync(string, bool, CancellationToken)"/> finds the daemon's job store unavailable and waits for
    /// it to come back (the reason names the store), on the thread that waits; with no handler they wait silently.
    /// </summary>
    public event EventHandler<JobStoreWaitingEventArgs>? JobStoreWaiting;

    /// <summary>
    /// Waits until the job has ended and returns it (its <see cref="JobInfo.ExitStatus"/> is what <c>exec</c> would give).
    /// While the daemon's job store is unavailable it waits for the store too (asking again every second), raising
    /// <see cref="JobStoreWaiting"/>.
    /// </summary>
    public async Task<JobInfo> WaitForJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        var outage = new StoreOutage(this);
        while (true)
        {
            var found = await outage.RideAsync(() => JobAskAsync<P.Found>(new P.WaitFor(jobId, HoldOpen), $"wait for job {jobId}", cancellationToken), cancellationToken).ConfigureAwait(false);
            if (found.Job.State.IsEnded())
            {
                return found.Job;
            }
        }
    }

    /// <summary>
    /// A job's output lines, in order, from the start: what is stored, then — with <paramref name="follow"/> — every new
    /// line as the job prints it, until it ends. Following rides out an outage of the daemon's job store as
    /// <see cref="WaitForJobAsync"/> does (the lines held meanwhile come when it is back, in order); without follow, an
    /// unavailable store throws <see cref="AccessDeniedException"/> naming it.
    /// </summary>
    public async IAsyncEnumerable<JobOutputLine> ReadJobOutputAsync(string jobId, bool follow = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var outage = follow ? new StoreOutage(this) : null;
        var job = outage is null
            ? await GetJobAsync(jobId, cancellationToken).ConfigureAwait(false)
            : await outage.RideAsync(() => GetJobAsync(jobId, cancellationToken), cancellationToken).ConfigureAwait(false);
        var labels = job.Tasks.ToDictionary(t => t.Index, t => t.Label);
        var after = 0L;
        while (true)
        {
            var read = () => JobAskAsync<P.OutputPage>(new P.ReadOutput(jobId, after, follow ? HoldOpen : TimeSpan.Zero), $"read the output of job {jobId}", cancellationToken);
            var page = outage is null ? await read().ConfigureAwait(false) : await outage.RideAsync(read, cancellationToken).ConfigureAwait(false);
            foreach (var chunk in page.Chunks)
            {
                var label = labels.GetValueOrDefault(chunk.TaskIndex, $"#{chunk.TaskIndex}");
                foreach (var line in chunk.Lines)
                {
                    yield return new JobOutputLine(chunk.TaskIndex, label, chunk.Stderr, line, chunk.At);
                }
            }

            after = page.LastSeq;
            if (page.Ended || (!follow && page.Chunks.Count == 0))
            {
                yield break;
            }
        }
    }

    /// <summary>The daemon's persisted audit trail, oldest first (admin only).</summary>
    public async IAsyncEnumerable<AuditEntry> ReadAuditAsync(DateTimeOffset? since = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var after = 0L;
        while (true)
        {
            var page = await JobAskAsync<P.AuditPage>(new P.ReadAudit(since, after, 500), "read the audit trail", cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.Entries)
            {
                yield return entry.Entry;
                after = entry.Id;
            }

            if (page.Entries.Count == 0)
            {
                yield break;
            }
        }
    }

    private void OnJobStoreWaiting(string reason) => JobStoreWaiting?.Invoke(this, new JobStoreWaitingEventArgs(reason));

    /// <summary>Asks again, every second, while the daemon answers that its job store is unavailable (told once per outage).</summary>
    private sealed class StoreOutage(RemoteEngine engine)
    {
        private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

        private bool _told;

        public async Task<T> RideAsync<T>(Func<Task<T>> ask, CancellationToken cancellationToken)
        {
            while (true)
            {
                try
                {
                    var answer = await ask().ConfigureAwait(false);
                    _told = false;
                    return answer;
                }
                catch (AccessDeniedException e) when (P.IsStoreUnavailable(e.Message))
                {
                    if (!_told)
                    {
                        _told = true;
                        engine.OnJobStoreWaiting(e.Message);
                    }

                    await Task.Delay(Retry, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task<T> JobAskAsync<T>(IJobRequest message, string what, CancellationToken cancellationToken)
    {
        if (_gatePath is null)
        {
            throw new NotSupportedException("jobs are kept by an rcontrol daemon: connect to one with RemoteEngine.ConnectAsync");
        }

        var answer = await AskAsync<object>(message, what, cancellationToken).ConfigureAwait(false);
        return answer switch
        {
            T t => t,
            P.JobNotFound notFound => throw new JobNotFoundException(notFound.JobId),
            _ => throw new SessionException($"unexpected answer {answer.GetType().Name} from the engine at {Address} ({what})"),
        };
    }
}
