namespace RControl.Jobs;

/// <summary>Where a job, or one task of it, stands.</summary>
public enum JobState
{
    /// <summary>Waiting for a fan-out slot or its dependencies.</summary>
    Queued,

    /// <summary>Running.</summary>
    Running,

    /// <summary>Ended well (every task, for a job).</summary>
    Succeeded,

    /// <summary>Ended with an error (an unexpected exit code, a connection failure …).</summary>
    Failed,

    /// <summary>Killed by a timeout.</summary>
    TimedOut,

    /// <summary>Killed on request (<c>rcontrol kill</c>) or because the daemon stopped.</summary>
    Killed,

    /// <summary>Never ran: a dependency failed, the job was killed or the daemon stopped first.</summary>
    Skipped,

    /// <summary>Was running when the daemon died; reported once after its restart.</summary>
    Interrupted,
}

/// <summary>Names of <see cref="JobState"/>s (as stored and printed) and the exit status they give.</summary>
public static class JobStates
{
    private static readonly Dictionary<JobState, string> Names = new()
    {
        [JobState.Queued] = "queued",
        [JobState.Running] = "running",
        [JobState.Succeeded] = "succeeded",
        [JobState.Failed] = "failed",
        [JobState.TimedOut] = "timed-out",
        [JobState.Killed] = "killed",
        [JobState.Skipped] = "skipped",
        [JobState.Interrupted] = "interrupted",
    };

    private static readonly Dictionary<string, JobState> ByName = Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>The name: <c>queued</c>, <c>running</c>, <c>succeeded</c>, <c>failed</c>, <c>timed-out</c>, <c>killed</c>, <c>skipped</c>, <c>interrupted</c>.</summary>
    public static string Name(this JobState state) => Names[state];

    /// <summary>Parses a name; throws <see cref="FormatException"/> for an unknown one.</summary>
    public static JobState Parse(string name) =>
        ByName.TryGetValue(name, out var state) ? state : throw new FormatException($"unknown job state '{name}'");

    /// <summary>Whether the state is final.</summary>
    public static bool IsEnded(this JobState state) => state is not (JobState.Queued or JobState.Running);

    /// <summary>The exit status <c>rcontrol wait</c> gives, as <c>exec</c> would: 0 succeeded, 3 timed out, 1 otherwise.</summary>
    public static int ExitStatus(this JobState state) => state switch
    {
        JobState.Succeeded => 0,
        JobState.TimedOut => 3,
        _ => 1,
    };
}
