namespace RControl.Host.Cli.Running;

/// <summary>How the CLI shows a run.</summary>
public enum OutputMode
{
    /// <summary>Lines prefixed by target as they arrive (default).</summary>
    Prefix,

    /// <summary>Output gathered per target at the end, identical outputs grouped (clush -b).</summary>
    Gather,

    /// <summary>One JSON object per task per line.</summary>
    Json,

    /// <summary>Unified diffs of the outputs against the most common one (clush --diff).</summary>
    Diff,
}

/// <summary>The options common to exec, run and copy, checked.</summary>
public sealed record RunSettings
{
    /// <summary>Kill a command running longer than this.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Kill a command printing nothing for this long.</summary>
    public TimeSpan? OutputTimeout { get; init; }

    /// <summary>Success exit code (null: any).</summary>
    public int? ExpectedExitCode { get; init; } = 0;

    /// <summary>Read stderr together with stdout.</summary>
    public bool CombineStderr { get; init; } = true;

    /// <summary>How many targets (exec) or task runs (plans) run at once.</summary>
    public int Fanout { get; init; } = 64;

    /// <summary>How results are shown.</summary>
    public OutputMode Mode { get; init; } = OutputMode.Prefix;

    /// <summary>Live view: null = when stdout is a terminal.</summary>
    public bool? Live { get; init; }

    /// <summary>Plans: a failure stops every task not yet started, and kills running ones.</summary>
    public bool StopAllOnFailure { get; init; }

    /// <summary>Run on this daemon instead of embedded (<c>akka.tcp://rcontrol@host:port</c>).</summary>
    public string? Daemon { get; init; }

    /// <summary>The client credential for <see cref="Daemon"/> (null: found by the usual search).</summary>
    public string? Credential { get; init; }

    /// <summary>Print the engine's own warnings (on stderr).</summary>
    public bool Verbose { get; init; }
}
