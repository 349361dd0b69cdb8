using RControl.Protocol;

namespace RControl.Transports;

/// <summary>
/// Starts commands for one session. The only layer that touches processes or SSH.
/// Implementations must be safe to call from several threads at once and must never block.
/// </summary>
internal interface ICommandTransport : IAsyncDisposable
{
    /// <summary>
    /// How many commands may run at once (e.g. SSH channels the server allows); null for no limit.
    /// The session actor queues further commands in order.
    /// </summary>
    int? MaxConcurrentCommands { get; }

    /// <summary>Starts a command; the returned handle exposes its streams, exit and kill.</summary>
    Task<IRunningCommand> StartAsync(CommandSpec spec, CancellationToken cancellationToken);
}

/// <summary>A started command.</summary>
internal interface IRunningCommand : IAsyncDisposable
{
    /// <summary>Standard output (with stderr in it when combined).</summary>
    Stream StandardOutput { get; }

    /// <summary>Standard error; null when combined into stdout.</summary>
    Stream? StandardError { get; }

    /// <summary>Completes with the exit code when the process has exited.</summary>
    Task<int> ExitCode { get; }

    /// <summary>Kills the command and every process it started. Never throws for an already exited command.</summary>
    Task KillAsync(CancellationToken cancellationToken);
}
