namespace RControl;

/// <summary>A task failed (the original's <c>TaskError</c>): carries the session, the task and what went wrong.</summary>
public class TaskException : BaseTaskException
{
    public TaskException(Session session, RControlTask task, string reason, Exception? inner = null)
        : base($"[{session.Name}] {task.Description}: {reason}", inner)
    {
        Session = session;
        Task = task;
        Reason = reason;
    }

    /// <summary>The session the task ran on.</summary>
    public Session Session { get; }

    /// <summary>The task that failed.</summary>
    public RControlTask Task { get; }

    /// <summary>What went wrong, without the session and task prefix.</summary>
    public string Reason { get; }
}

/// <summary>A command ran longer than its timeout or printed nothing for its output timeout (the original's <c>TimeoutError</c>).</summary>
public sealed class TaskTimeoutException : TaskException
{
    public TaskTimeoutException(Session session, CommandTask task, string reason)
        : base(session, task, reason)
    {
    }
}

/// <summary>A command exited with an unexpected code (the original's <c>ExitCodeError</c>).</summary>
public sealed class ExitCodeException : TaskException
{
    public ExitCodeException(Session session, CommandTask task, int exitCode)
        : base(session, task, $"bad exit code: Got {exitCode}")
    {
        ExitCode = exitCode;
    }

    /// <summary>The exit code the command returned.</summary>
    public int ExitCode { get; }
}

/// <summary>A command was killed on request (<see cref="CommandTask.KillAsync"/>, <see cref="CommandTask.Cancel"/>) or because its session was closed.</summary>
public sealed class TaskCancelledException : TaskException
{
    public TaskCancelledException(Session session, CommandTask task)
        : base(session, task, "killed")
    {
    }

    /// <param name="why">Why it was killed, e.g. "the session was closed".</param>
    public TaskCancelledException(Session session, CommandTask task, string why)
        : base(session, task, $"killed: {why}")
    {
    }
}
