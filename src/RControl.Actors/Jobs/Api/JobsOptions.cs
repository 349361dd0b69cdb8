namespace RControl.Jobs;

/// <summary>How a daemon keeps its jobs (<c>rcontrol.daemon.jobs</c>).</summary>
public sealed record JobsOptions
{
    /// <summary>Output stored per job at most; beyond it lines are dropped and the job is marked truncated.</summary>
    public long OutputCapBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Ended jobs older than this are deleted (with their output), and audit entries too.</summary>
    public TimeSpan RetentionMaxAge { get; init; } = TimeSpan.FromDays(30);

    /// <summary>At most this many ended jobs are kept (the newest).</summary>
    public int RetentionMaxCount { get; init; } = 10_000;

    /// <summary>How often retention runs.</summary>
    public TimeSpan RetentionInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Output posted but not yet written beyond which a job stops acknowledging (the store is far behind).</summary>
    public long MaxUnflushedBytes { get; init; } = 32L * 1024 * 1024;
}
