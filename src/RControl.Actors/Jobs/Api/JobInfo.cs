namespace RControl.Jobs;

/// <summary>A job as the daemon records it: who submitted what, where, when, and how it ended.</summary>
public sealed record JobInfo(string Id, string Owner, string Kind, string Description, JobState State, DateTimeOffset CreatedAt)
{
    /// <summary>The sessions the job runs on.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Tasks that succeeded.</summary>
    public int Succeeded { get; init; }

    /// <summary>Tasks that failed, were killed, skipped or interrupted.</summary>
    public int Failed { get; init; }

    /// <summary>Tasks that timed out.</summary>
    public int TimedOut { get; init; }

    /// <summary>Bytes of output stored (up to the cap).</summary>
    public long OutputBytes { get; init; }

    /// <summary>Whether output beyond the cap was dropped.</summary>
    public bool Truncated { get; init; }

    /// <summary>The tasks (filled by <see cref="Remote.RemoteEngine.GetJobAsync(string, CancellationToken)"/>; empty in lists).</summary>
    public IReadOnlyList<JobTaskInfo> Tasks { get; init; } = [];

    /// <summary>The exit status <c>rcontrol wait</c> gives (as <c>exec</c> would).</summary>
    public int ExitStatus => State.ExitStatus();
}

/// <summary>One task of a job as recorded.</summary>
public sealed record JobTaskInfo(int Index, string? Name, string Session, string Command, JobState State)
{
    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public int? ExitCode { get; init; }

    /// <summary>What went wrong (also <c>interrupted (daemon restarted)</c>).</summary>
    public string? Error { get; init; }

    /// <summary><c>session</c>, or <c>task@session</c> in a plan.</summary>
    public string Label => Name is null ? Session : $"{Name}@{Session}";
}

/// <summary>Which jobs to list.</summary>
public sealed record JobQuery
{
    /// <summary>Only queued or running jobs.</summary>
    public bool RunningOnly { get; init; }

    /// <summary>Only jobs created at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only the caller's own jobs (others' are listed only for holders of kill or admin on their sessions).</summary>
    public bool Mine { get; init; }

    /// <summary>At most this many, newest first (1 to 1000).</summary>
    public int Limit { get; init; } = 100;
}

/// <summary>One line a job's task printed, as stored.</summary>
/// <param name="TaskIndex">The task's index in <see cref="JobInfo.Tasks"/>.</param>
/// <param name="Stderr">Whether it came on stderr (tasks that keep it apart).</param>
public sealed record JobOutputLine(int TaskIndex, string Label, bool Stderr, string Text, DateTimeOffset At);

/// <summary>One entry of the daemon's persisted audit trail.</summary>
/// <param name="Action">What happened: <c>login</c>, <c>session</c>, <c>exec</c>, <c>job</c>, <c>file</c>, <c>kill</c>, <c>denied</c> ….</param>
public sealed record AuditEntry(DateTimeOffset At, string Identity, string Source, string Action, string Detail);
