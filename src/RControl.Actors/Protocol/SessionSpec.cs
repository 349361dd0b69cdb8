namespace RControl.Protocol;

/// <summary>
/// Describes a session: where commands run. Plain immutable data, checked where it is built; crosses Akka.Remote so a
/// client can ask an engine to open a session. What runs it is built from it by the engine's session factory.
/// </summary>
public abstract record SessionSpec : IRControlWireMessage
{
    /// <summary>Only the kinds RControl knows how to run (<see cref="LocalSessionSpec"/>, <see cref="SshSessionSpec"/>).</summary>
    private protected SessionSpec()
    {
    }
}

/// <summary>A session on the local machine.</summary>
public sealed record LocalSessionSpec : SessionSpec
{
    /// <summary>Default working directory for commands (the process's current directory when null).</summary>
    /// <exception cref="ArgumentException">Blank.</exception>
    public string? WorkingDirectory
    {
        get;
        init => field = SpecField.Text(value, "working-directory", nameof(WorkingDirectory));
    }
}
