namespace RControl.Jobs;

/// <summary>
/// Work for a daemon to run as a job, on its own, whatever becomes of the client that submitted it: an exec (one
/// command on several sessions) or a plan (named tasks with dependencies). Submit with
/// <see cref="Remote.RemoteEngine.SubmitAsync"/>.
/// </summary>
/// <param name="Description">What the job is, as listed: the command line of an exec, the plan's file name.</param>
/// <param name="Tasks">The tasks, one per session (a plan task on a group gives one per member).</param>
public sealed record JobRequest(string Description, IReadOnlyList<JobTask> Tasks)
{
    /// <summary><c>exec</c> or <c>plan</c>.</summary>
    public string Kind { get; init; } = "exec";

    /// <summary>How many tasks run at once.</summary>
    public int Fanout { get; init; } = 64;

    /// <summary>Plans: the first failure skips everything not started and kills what runs.</summary>
    public bool StopAllOnFailure { get; init; }

    /// <summary>One command on several of the daemon's sessions.</summary>
    public static JobRequest Exec(string command, IEnumerable<string> sessions, Func<JobTask, JobTask>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(sessions);
        return new JobRequest(command, sessions.Select(s => configure is null ? new JobTask(s, command) : configure(new JobTask(s, command))).ToArray());
    }
}

/// <summary>One command of a job on one of the daemon's sessions.</summary>
/// <param name="Session">The daemon's session name.</param>
/// <param name="Command">The shell command line.</param>
public sealed record JobTask(string Session, string Command)
{
    /// <summary>The plan task's name (null for an exec); <see cref="After"/> refers to these names.</summary>
    public string? Name { get; init; }

    /// <summary>Plan tasks that must have succeeded first.</summary>
    public IReadOnlyList<string> After { get; init; } = [];

    /// <summary>Kill the command when it runs longer than this.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Kill the command when it prints no line for this long.</summary>
    public TimeSpan? OutputTimeout { get; init; }

    /// <summary>The exit code that counts as success (default 0); null accepts any.</summary>
    public int? ExpectedExitCode { get; init; } = 0;

    /// <summary>Read stderr into the stdout stream (default true).</summary>
    public bool CombineStderr { get; init; } = true;

    /// <summary>How the job's output and listing name this task: <c>session</c>, or <c>task@session</c> in a plan.</summary>
    public string Label => Name is null ? Session : $"{Name}@{Session}";
}
