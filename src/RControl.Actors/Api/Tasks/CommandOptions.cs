using RControl.Protocol;

namespace RControl;

/// <summary>How to run a command and what to call as it runs. Immutable; build variants with <c>with</c>.</summary>
public sealed record CommandOptions
{
    /// <summary>The default options: exit code 0 expected, no timeouts, no callbacks.</summary>
    public static CommandOptions Default { get; } = new();

    /// <summary>The exit code that counts as success (default 0); null accepts any code.</summary>
    public int? ExpectedExitCode { get; init; } = 0;

    /// <summary>Read stderr into the stdout stream. Unset: combined unless <see cref="OnStderr"/> is given.</summary>
    public bool? CombineStderr { get; init; }

    /// <summary>Kill the command (and its children) when it runs longer than this.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Kill the command when it prints no line for this long.</summary>
    public TimeSpan? OutputTimeout { get; init; }

    /// <summary>Working directory of the command.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Extra environment variables.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Called for each stdout line (all lines when combined), in order, one at a time.</summary>
    public Action<CommandTask, string>? OnStdout { get; init; }

    /// <summary>Called for each stderr line when streams are separate.</summary>
    public Action<CommandTask, string>? OnStderr { get; init; }

    /// <summary>
    /// Called after the callback has had every line of one batch the engine received (for the CLI, which writes a
    /// batch of lines at once); not called without an output callback for the stream.
    /// </summary>
    internal Action<CommandTask, OutputStream>? OnOutputBatchEnd { get; init; }

    /// <summary>Called when the process has exited (not on timeout).</summary>
    public Action<CommandTask>? OnFinished { get; init; }

    /// <summary>Called when a timeout killed the command.</summary>
    public Action<CommandTask>? OnTimeout { get; init; }

    /// <summary>Called last, always. Giving it marks the task's error as handled.</summary>
    public Action<CommandTask>? OnDone { get; init; }

    /// <summary>Whether stderr goes into stdout for these options.</summary>
    public bool CombinesStderr => CombineStderr ?? OnStderr is null;

    internal CommandSpec ToSpec(string command)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        CheckPositive(Timeout, nameof(Timeout));
        CheckPositive(OutputTimeout, nameof(OutputTimeout));
        return new CommandSpec(command)
        {
            CombineStderr = CombinesStderr,
            WorkingDirectory = WorkingDirectory,
            Environment = Environment,
            Timeout = Timeout,
            OutputTimeout = OutputTimeout,
        };
    }

    private static void CheckPositive(TimeSpan? value, string name)
    {
        if (value is { } v && v <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, v, $"{name} must be positive, got {v}");
        }
    }
}
