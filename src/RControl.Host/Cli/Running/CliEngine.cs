using Akka.Configuration;
using RControl.Configuration;
using RControl.Protocol;
using RControl.Remote;

namespace RControl.Host.Cli.Running;

/// <summary>Where the CLI's sessions live: an embedded engine in this process, or a daemon reached with <c>--daemon</c>.</summary>
public abstract class CliEngine : IAsyncDisposable
{
    /// <summary>Sessions the engine already knows by name (the daemon's inventory; none when embedded).</summary>
    public abstract Inventory KnownSessions { get; }

    /// <summary>Starts the embedded engine, or connects to the daemon at <paramref name="daemon"/>.</summary>
    /// <exception cref="EngineUnreachableException">No daemon answered at that address.</exception>
    public static async Task<CliEngine> StartAsync(string? daemon, bool verbose, CancellationToken cancellationToken, string? credential = null)
    {
        if (daemon is null)
        {
            return new Embedded(RControlSystem.Create(EmbeddedConfig(verbose)));
        }

        if (!daemon.StartsWith("akka.tcp://", StringComparison.Ordinal) && !daemon.StartsWith("akka.ssl.tcp://", StringComparison.Ordinal))
        {
            throw new UsageException($"--daemon '{daemon}' is not an Akka address (akka.tcp://rcontrol@host:port)");
        }

        var engine = await ConnectAsync(daemon, verbose, credential, cancellationToken).ConfigureAwait(false);
        try
        {
            var sessions = new Dictionary<string, SessionSpec>(StringComparer.Ordinal);
            foreach (var name in await engine.ListSessionsAsync(cancellationToken).ConfigureAwait(false))
            {
                sessions[name] = (await engine.GetSessionAsync(name, cancellationToken).ConfigureAwait(false)).Spec;
            }

            return new Daemon(engine, new Inventory(sessions, new Dictionary<string, IReadOnlyList<string>>()));
        }
        catch
        {
            await engine.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The embedded engine of one CLI run, quiet unless <paramref name="verbose"/>, and light to start and stop: log
    /// events printed from where they are published (no logger actor to start and wait for), no dead-letter listener,
    /// termination without the coordinated-shutdown phases (nothing registers in them; the engine's disposal has
    /// already waited for every kill), and no JSON serializer built (its messages never leave the process).
    /// </summary>
    internal static Config EmbeddedConfig(bool verbose)
    {
        var level = verbose ? "WARNING" : "OFF";
        return ConfigurationFactory.ParseString($$"""
            akka.loglevel = {{level}}
            akka.stdout-loglevel = {{level}}
            akka.loggers = ["Akka.Event.StandardOutLogger, Akka"]
            akka.log-dead-letters = {{(verbose ? "10" : "off")}}
            akka.log-dead-letters-during-shutdown = off
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            akka.actor.serializers.json = "{{typeof(InProcessOnlySerializer).FullName}}, {{typeof(InProcessOnlySerializer).Assembly.GetName().Name}}"
            """);
    }

    /// <summary>The daemon's engine when the CLI runs on one (<c>--daemon</c>), else null.</summary>
    public virtual RemoteEngine? Remote => null;

    /// <summary>Logs in to the daemon at <paramref name="daemon"/> (quiet unless <paramref name="verbose"/>).</summary>
    /// <exception cref="UsageException">The address is not an Akka address.</exception>
    public static Task<RemoteEngine> ConnectAsync(string daemon, bool verbose, string? credential, CancellationToken cancellationToken)
    {
        if (!daemon.StartsWith("akka.tcp://", StringComparison.Ordinal) && !daemon.StartsWith("akka.ssl.tcp://", StringComparison.Ordinal))
        {
            throw new UsageException($"--daemon '{daemon}' is not an Akka address (akka.tcp://rcontrol@host:port)");
        }

        var level = verbose ? "WARNING" : "OFF";
        var quiet = ConfigurationFactory.ParseString($"akka.loglevel = {level}\nakka.stdout-loglevel = {level}");
        var client = credential is null ? quiet : ConfigurationFactory.ParseString($"rcontrol.remote.credential = {System.Text.Json.JsonSerializer.Serialize(credential)}").WithFallback(quiet);
        return RemoteEngine.ConnectAsync(daemon, client, cancellationToken);
    }

    /// <summary>The session of that name: the engine's own when it knows it, else a new one from the spec.</summary>
    public abstract Task<Session> SessionAsync(string name, SessionSpec spec, CancellationToken cancellationToken);

    /// <summary>Gives a session back at the end of the run.</summary>
    public abstract Task ReleaseAsync(Session session);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    private sealed class Embedded(RControlSystem system) : CliEngine
    {
        public override Inventory KnownSessions => Inventory.Empty;

        public override Task<Session> SessionAsync(string name, SessionSpec spec, CancellationToken cancellationToken) =>
            Task.FromResult(system.CreateSession(name, spec));

        public override Task ReleaseAsync(Session session) => session.CloseAsync();

        public override ValueTask DisposeAsync() => system.DisposeAsync();
    }

    private sealed class Daemon(RemoteEngine engine, Inventory known) : CliEngine
    {
        private readonly HashSet<string> _opened = [];

        public override Inventory KnownSessions => known;

        public override RemoteEngine? Remote => engine;

        public override async Task<Session> SessionAsync(string name, SessionSpec spec, CancellationToken cancellationToken)
        {
            if (known.Sessions.ContainsKey(name))
            {
                return await engine.GetSessionAsync(name, cancellationToken).ConfigureAwait(false);
            }

            // An ad-hoc target: opened in the daemon for this run, closed there at the end.
            var session = await engine.OpenSessionAsync(name, spec, cancellationToken).ConfigureAwait(false);
            lock (_opened)
            {
                _opened.Add(name);
            }

            return session;
        }

        public override async Task ReleaseAsync(Session session)
        {
            await session.CloseAsync().ConfigureAwait(false);
            bool opened;
            lock (_opened)
            {
                opened = _opened.Remove(session.Name);
            }

            if (opened)
            {
                await engine.CloseSessionAsync(session.Name).ConfigureAwait(false);
            }
        }

        public override ValueTask DisposeAsync() => engine.DisposeAsync();
    }
}
