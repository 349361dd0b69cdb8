using RControl.Protocol;

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

    /// <summary>
    /// Sessions the job opens for its own run and closes at its end: targets the daemon does not know (an SSH host, a
    /// plan's own session). Each needs the <c>open</c> grant on its name, as in a run that is not detached; a name the
    /// daemon knows is the daemon's session. Their secrets stay in the daemon's memory, never in its store.
    /// </summary>
    public IReadOnlyDictionary<string, SessionSpec> Sessions { get; init; } = new Dictionary<string, SessionSpec>(StringComparer.Ordinal);

    /// <summary>The most bytes of <see cref="Stdin"/>: it travels in the submission, whose size the daemon bounds.</summary>
    public const int MaxStdinBytes = 1024 * 1024;

    /// <summary>
    /// Bytes every command task gets on its standard input (<c>exec --detach --stdin FILE</c>), at most
    /// <see cref="MaxStdinBytes"/>; null: an empty stdin. Held in the daemon's memory for the job's run, never stored: a job
    /// does not run again after a restart. Copy tasks ignore it.
    /// </summary>
    public byte[]? Stdin { get; init; }

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

    /// <summary>Set: the task copies a file or directory tree (<see cref="Command"/> then only describes it).</summary>
    public JobCopy? Copy { get; init; }

    /// <summary>A copy from <c>session:path</c> to <c>session:path</c>, shown under <paramref name="session"/>.</summary>
    public static JobTask ForCopy(string session, JobCopy copy)
    {
        ArgumentNullException.ThrowIfNull(copy);
        return new JobTask(session, copy.ToString()) { Copy = copy };
    }

    /// <summary>How the job's output and listing name this task: <c>session</c>, or <c>task@session</c> in a plan.</summary>
    public string Label => Name is null ? Session : $"{Name}@{Session}";
}

/// <summary>
/// A copy run by the daemon: a file, or a directory tree, from one of its sessions to another (<c>rcontrol copy</c>'s
/// rules: a file goes into an existing directory under its own name; a tree's destination must not exist). Needs
/// <c>file-read</c> on the source session and <c>file-write</c> on the destination's.
/// </summary>
public sealed record JobCopy(string FromSession, string FromPath, string ToSession, string ToPath)
{
    /// <summary><c>copy from:path to:path</c>.</summary>
    public override string ToString() => $"copy {FromSession}:{FromPath} {ToSession}:{ToPath}";
}
