namespace RControl.Protocol;

/// <summary>
/// What to run and how, as sent to a session actor. Immutable and free of delegates,
/// so it can cross Akka.Remote.
/// </summary>
/// <param name="Command">A shell command line, run through <c>/bin/sh -c</c>.</param>
public sealed record CommandSpec(string Command) : IRControlWireMessage
{
    /// <summary>Send stderr into the stdout stream (one ordered stream).</summary>
    public bool CombineStderr { get; init; } = true;

    /// <summary>Working directory of the command; the session's default when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Extra environment variables for the command.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Kill the command when it runs longer than this.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Kill the command when it prints no line for this long.</summary>
    public TimeSpan? OutputTimeout { get; init; }
}
