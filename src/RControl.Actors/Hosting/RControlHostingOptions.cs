using System.Text;
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

    /// <summary>
    /// The output readers' limits (<c>rcontrol.readers</c>): values set here win over the HOCON, e.g.
    /// <c>options.Readers = options.Readers with { Window = 16 }</c>.
    /// </summary>
    public RControlReaderOptions Readers { get; set; } = new();

    /// <summary>The remote timings (<c>rcontrol.remote.ask-timeout</c>, <c>file-idle-timeout</c>): values set here win over the HOCON.</summary>
    public RControlRemoteOptions Remote { get; set; } = new();

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

    /// <summary>The typed settings as HOCON (put in front of the actor system's config), or null when none is set.</summary>
    internal string? ToHocon()
    {
        var hocon = new StringBuilder();
        (Readers ?? new()).AppendHocon(hocon);
        (Remote ?? new()).AppendHocon(hocon);
        return hocon.Length == 0 ? null : hocon.ToString();
    }
}
