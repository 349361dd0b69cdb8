namespace RControl.Protocol;

/// <summary>How a command ended.</summary>
public enum CommandEnd
{
    /// <summary>The process exited by itself; the exit code is known.</summary>
    Exited,

    /// <summary>The total timeout fired and the process was killed.</summary>
    TimedOut,

    /// <summary>The output (idle) timeout fired and the process was killed.</summary>
    OutputTimedOut,

    /// <summary>The command was killed on request.</summary>
    Killed,

    /// <summary>The command could not be started or its transport failed.</summary>
    Failed,
}
