using RControl.Protocol;

namespace RControl.Host.Cli.Running;

/// <summary>Where a unit of work stands.</summary>
public enum RunState
{
    /// <summary>Waiting for its turn (fan-out) or its dependencies.</summary>
    Queued,

    /// <summary>Running.</summary>
    Running,

    /// <summary>Ended well.</summary>
    Succeeded,

    /// <summary>Ended with an error (bad exit code, connection failure…).</summary>
    Failed,

    /// <summary>Killed by a timeout.</summary>
    TimedOut,

    /// <summary>Never ran: a dependency failed.</summary>
    Skipped,
}

/// <summary>One line a unit printed.</summary>
public readonly record struct OutputLine(OutputStream Stream, string Text);

/// <summary>
/// One command (or copy) on one session, as the CLI shows it: state, times, result and output. Written by
/// one task at a time (its callbacks run one at a time); read by views under <see cref="Gate"/>.
/// </summary>
public sealed class RunUnit
{
    private readonly List<OutputLine> _output = [];
    private DateTimeOffset? _startedAt;
    private DateTimeOffset? _endedAt;
    private int? _exitCode;
    private bool _timedOut;

    public RunUnit(string session, string command, string? task = null)
    {
        Session = session;
        Command = command;
        Task = task;
    }

    /// <summary>The plan task name (null for <c>exec</c>).</summary>
    public string? Task { get; }

    /// <summary>The session name.</summary>
    public string Session { get; }

    /// <summary>The command line (or a copy description).</summary>
    public string Command { get; }

    /// <summary>How output lines and the summary name this unit.</summary>
    public string Label => Task is null ? Session : $"{Task}@{Session}";

    /// <summary>Lock this to read or change the unit from several threads.</summary>
    public object Gate { get; } = new();

    public RunState State { get; set; } = RunState.Queued;

    /// <summary>
    /// How the command ended, once it has: the engine's one record, read as it is (times, exit code, timeout). Null for a
    /// copy, a skipped unit or a job's task read from the daemon, whose fields are set below.
    /// </summary>
    public CommandResult? Result { get; private set; }

    public DateTimeOffset? StartedAt { get => Result?.StartedAt ?? _startedAt; set => _startedAt = value; }

    public DateTimeOffset? EndedAt { get => Result?.EndedAt ?? _endedAt; set => _endedAt = value; }

    public int? ExitCode { get => Result is { } result ? result.ExitCode : _exitCode; set => _exitCode = value; }

    public bool TimedOut { get => Result?.TimedOut ?? _timedOut; set => _timedOut = value; }

    public string? Error { get; set; }

    /// <summary>The last line printed (for the live view).</summary>
    public string? LastLine { get; private set; }

    /// <summary>Progress of a copy, 0 to 1 (null when unknown or not a copy).</summary>
    public double? Progress { get; set; }

    /// <summary>Duration so far, or in total once ended.</summary>
    public TimeSpan? Elapsed(DateTimeOffset now) => StartedAt is { } s ? (EndedAt ?? now) - s : null;

    /// <summary>A copy of the lines printed so far.</summary>
    public IReadOnlyList<OutputLine> Output
    {
        get
        {
            lock (Gate)
            {
                return _output.ToArray();
            }
        }
    }

    /// <summary>True when it ended (in any way, including skipped).</summary>
    public bool IsEnded => State is RunState.Succeeded or RunState.Failed or RunState.TimedOut or RunState.Skipped;

    /// <summary>Records the end of a command: its result, and the state and error text the views show.</summary>
    internal void End(CommandResult result, string? error)
    {
        lock (Gate)
        {
            Result = result;
            State = result.Succeeded ? RunState.Succeeded : result.TimedOut ? RunState.TimedOut : RunState.Failed;
            Error = error;
        }
    }

    /// <summary>Shows copy progress in the live view (not part of the output).</summary>
    internal void ReportProgress(double fraction, string status)
    {
        lock (Gate)
        {
            Progress = fraction;
            LastLine = status;
        }
    }

    internal void AddLine(OutputStream stream, string text, bool keep = true)
    {
        lock (Gate)
        {
            if (keep)
            {
                _output.Add(new OutputLine(stream, text));
            }

            LastLine = text;
        }
    }

    /// <summary>The exit status of a whole run: 1 when something failed, else 3 when something timed out, else 0.</summary>
    public static int ExitStatus(IEnumerable<RunUnit> units)
    {
        var states = units.Select(u => u.State).ToArray();
        return states.Contains(RunState.Failed) ? ExitCodes.Failed
            : states.Contains(RunState.TimedOut) ? ExitCodes.TimedOut
            : ExitCodes.Success;
    }

    /// <summary>
    /// <c>-S</c>, as <c>clush -S</c>: the largest exit status of the commands; a command that has none (unreachable
    /// host, timeout, kill) counts as 255, as <c>ssh</c> reports a connection error.
    /// </summary>
    public static int LargestExitStatus(IEnumerable<RunUnit> units) =>
        units.Select(u => u.ExitCode ?? (u.State is RunState.Succeeded or RunState.Skipped ? 0 : NoExitStatus)).DefaultIfEmpty(0).Max();

    /// <summary>What <see cref="LargestExitStatus"/> counts for a command without an exit status.</summary>
    public const int NoExitStatus = 255;
}

/// <summary>The CLI's exit statuses (docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>Every task succeeded.</summary>
    public const int Success = 0;

    /// <summary>A task failed.</summary>
    public const int Failed = 1;

    /// <summary>Bad usage or bad input; nothing ran.</summary>
    public const int Usage = 2;

    /// <summary>A task timed out and none failed otherwise.</summary>
    public const int TimedOut = 3;

    /// <summary>Interrupted by Ctrl+C or SIGTERM: running commands were killed (128 + SIGINT, as shells do).</summary>
    public const int Interrupted = 130;
}
