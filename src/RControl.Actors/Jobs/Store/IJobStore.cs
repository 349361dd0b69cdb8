namespace RControl.Jobs;

/// <summary>
/// Where the daemon keeps jobs, task records, output chunks and the audit trail (SQLite or PostgreSQL). Writes arrive
/// in batches, one transaction each, from one writer; reads may run at any time.
/// </summary>
internal interface IJobStore : IAsyncDisposable
{
    /// <summary>The store as messages name it (<c>sqlite /var/lib/rcontrol/rcontrol.db</c>, <c>postgresql db:5432/rcontrol</c>; never a password).</summary>
    string Name { get; }

    /// <summary>Creates or migrates the schema.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Applies the writes in order, in one transaction.</summary>
    Task WriteAsync(IReadOnlyList<JobWrite> writes, CancellationToken cancellationToken);

    /// <summary>A job with its tasks; null when unknown.</summary>
    Task<JobInfo?> GetJobAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Jobs (without their tasks), newest first.</summary>
    /// <param name="owner">Only this owner's jobs, when given.</param>
    Task<IReadOnlyList<JobInfo>> ListJobsAsync(JobQuery query, string? owner, CancellationToken cancellationToken);

    /// <summary>Output chunks of a job after <paramref name="afterSeq"/>, in order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<StoredChunk>> ReadOutputAsync(string jobId, long afterSeq, int limit, CancellationToken cancellationToken);

    /// <summary>Audit entries after <paramref name="afterId"/> (and at or after <paramref name="since"/>), oldest first.</summary>
    Task<IReadOnlyList<(long Id, AuditEntry Entry)>> ReadAuditAsync(DateTimeOffset? since, long afterId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// After a restart: every task still recorded as running becomes <see cref="JobState.Interrupted"/> (queued ones
    /// <see cref="JobState.Skipped"/>) and their jobs interrupted. Returns what was changed, so each is reported once.
    /// </summary>
    Task<IReadOnlyList<(string JobId, string Owner, JobTaskInfo Task)>> InterruptUnfinishedAsync(DateTimeOffset now, string reason, CancellationToken cancellationToken);

    /// <summary>Deletes ended jobs (tasks and output) older than <paramref name="olderThan"/> or beyond the newest <paramref name="keep"/>, and audit entries older than <paramref name="olderThan"/>.</summary>
    /// <returns>How many jobs were deleted.</returns>
    Task<int> ApplyRetentionAsync(DateTimeOffset olderThan, int keep, CancellationToken cancellationToken);

    /// <summary>How many jobs are in each state (for metrics and health).</summary>
    Task<IReadOnlyDictionary<JobState, long>> CountJobsByStateAsync(CancellationToken cancellationToken);
}

/// <summary>One stored output chunk: its lines as the task printed them.</summary>
internal sealed record StoredChunk(long Seq, int TaskIndex, bool Stderr, DateTimeOffset At, IReadOnlyList<string> Lines);

/// <summary>A change to the store, applied in order by <see cref="IJobStore.WriteAsync"/>.</summary>
internal abstract record JobWrite
{
    /// <summary>A new job with its tasks (all queued).</summary>
    public sealed record JobCreated(JobInfo Job, IReadOnlyList<JobTaskInfo> Tasks) : JobWrite;

    public sealed record TaskStarted(string JobId, int TaskIndex, DateTimeOffset At) : JobWrite;

    public sealed record TaskEnded(string JobId, int TaskIndex, JobState State, DateTimeOffset At, int? ExitCode, string? Error) : JobWrite;

    /// <summary>Lines of one task, numbered in the order the daemon received them.</summary>
    public sealed record Output(string JobId, long Seq, int TaskIndex, bool Stderr, DateTimeOffset At, OutputText Text) : JobWrite
    {
        public Output(string jobId, long seq, int taskIndex, bool stderr, DateTimeOffset at, IReadOnlyList<string> lines)
            : this(jobId, seq, taskIndex, stderr, at, OutputText.Of(lines))
        {
        }

        /// <summary>The lines' size in UTF-8 with their newlines, as counted against the cap.</summary>
        public long Bytes => Text.Length;
    }

    /// <summary>The job's state and counts (started, ended, truncated, bytes so far).</summary>
    public sealed record JobUpdated(JobInfo Job) : JobWrite;

    public sealed record Audited(AuditEntry Entry) : JobWrite;
}
