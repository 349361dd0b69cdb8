using RControl.Protocol;

namespace RControl.Hosting;

/// <summary>Options of <see cref="RControlHostingExtensions.WithRControl"/>.</summary>
public sealed class RControlHostingOptions
{
    private readonly Dictionary<string, SessionSpec> _sessions = new(StringComparer.Ordinal);

    /// <summary>Route Akka's (and so the engine's) logs to the host's <c>ILoggerFactory</c> (default true).</summary>
    public bool UseHostLogging { get; set; } = true;

    /// <summary>Open the sessions declared under <c>rcontrol.sessions</c> in the actor system's config (default true).</summary>
    public bool OpenConfiguredSessions { get; set; } = true;

    /// <summary>
    /// Jobs that outlive their clients, kept in a store with the audit trail (the daemon sets this); only for an engine
    /// served over Akka.Remote. Null: no jobs.
    /// </summary>
    internal Jobs.JobService? Jobs { get; set; }

    /// <summary>The client grants now, when they change while the engine runs (the daemon's minted credentials).</summary>
    internal Func<Security.ClientGrants>? Grants { get; set; }

    /// <summary>Sessions declared in code, opened in the engine at start.</summary>
    public IReadOnlyDictionary<string, SessionSpec> Sessions => _sessions;

    /// <summary>Declares a named session in code.</summary>
    public RControlHostingOptions AddSession(string name, SessionSpec spec)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(spec);
        _sessions[name] = spec;
        return this;
    }
}
