using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using RControl.Actors;
using RControl.Configuration;
using RControl.Hosting;
using RControl.Protocol;

namespace RControl.Remote;

/// <summary>
/// A client's handle on an RControl engine (its <see cref="SessionManagerActor"/>), reached over Akka.Remote —
/// or in this process (<see cref="ForEngine"/>). Gives the engine's named sessions as <see cref="RemoteSession"/>s,
/// and opens new sessions there from a <see cref="SessionSpec"/>.
/// </summary>
public sealed class RemoteEngine : IAsyncDisposable
{
    private readonly bool _ownsSystem;
    private readonly TimeSpan _askTimeout;

    private RemoteEngine(RControlSystem system, IActorRef engine, bool ownsSystem)
    {
        System = system;
        Engine = engine;
        _ownsSystem = ownsSystem;
        _askTimeout = system.ActorSystem.Settings.Config.GetTimeSpan("rcontrol.remote.ask-timeout", TimeSpan.FromSeconds(10));
    }

    /// <summary>How long one file request (a chunk, a stat …) may take before it fails.</summary>
    internal TimeSpan FileTimeout => _askTimeout + _askTimeout;

    /// <summary>The client-side RControl system (callbacks and task handles live there).</summary>
    public RControlSystem System { get; }

    /// <summary>The engine's session manager actor.</summary>
    public IActorRef Engine { get; }

    /// <summary>The engine's address, e.g. <c>akka.tcp://rcontrol@127.0.0.1:4053</c>.</summary>
    public Address Address => Engine.Path.Address;

    /// <summary>
    /// Starts a client actor system (Akka.Remote on 127.0.0.1, a free port; TLS per <c>rcontrol.remote.tls</c>)
    /// and connects to the engine at <paramref name="address"/> (<c>akka.tcp://rcontrol@host:port</c>).
    /// Disposing the returned engine stops that client system.
    /// </summary>
    /// <param name="config">Client configuration in front of the reference HOCON (e.g. TLS settings).</param>
    /// <exception cref="EngineUnreachableException">No engine answered at that address in time.</exception>
    /// <exception cref="RemoteSecurityException">The client configuration is not safe (e.g. a public address without TLS).</exception>
    public static async Task<RemoteEngine> ConnectAsync(string address, Config? config = null, CancellationToken cancellationToken = default)
    {
        var system = CreateClientSystem(config);
        try
        {
            var engine = await ResolveAsync(system, address, cancellationToken).ConfigureAwait(false);
            return new RemoteEngine(RControlSystem.Attach(system, engine), engine, ownsSystem: true);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Connects to an engine from an existing RControl system (which must run Akka.Remote).</summary>
    public static async Task<RemoteEngine> ConnectAsync(RControlSystem system, string address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        var engine = await ResolveAsync(system.ActorSystem, address, cancellationToken).ConfigureAwait(false);
        return new RemoteEngine(RControlSystem.Attach(system.ActorSystem, engine), engine, ownsSystem: false);
    }

    /// <summary>The named sessions of an engine running in this process (e.g. registered by <c>WithRControl</c>).</summary>
    public static RemoteEngine ForEngine(RControlSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return new RemoteEngine(system, system.Engine, ownsSystem: false);
    }

    /// <summary>
    /// Builds the client actor system used by <see cref="ConnectAsync(string, Config?, CancellationToken)"/>: Akka.Remote on
    /// 127.0.0.1 and a free port, Akka log level WARNING (override with <c>akka.loglevel</c>), TLS per <c>rcontrol.remote.tls</c>.
    /// </summary>
    public static ActorSystem CreateClientSystem(Config? config = null, string name = "rcontrol-client")
    {
        var user = (config ?? Config.Empty)
            .WithFallback(ConfigurationFactory.ParseString("akka.actor.provider = remote\nakka.remote.dot-netty.tcp.port = 0\nakka.loglevel = WARNING"))
            .WithFallback(RControlConfig.ReferenceConfig);
        return ActorSystem.Create(name, RemoteSecurity.CreateSystemSetup(user));
    }

    /// <summary>The engine's session names, sorted.</summary>
    public async Task<IReadOnlyList<string>> ListSessionsAsync(CancellationToken cancellationToken = default)
    {
        var list = await AskAsync<SessionManagerActor.SessionList>(SessionManagerActor.ListSessions.Instance, "list sessions", cancellationToken).ConfigureAwait(false);
        return list.Names;
    }

    /// <summary>A session configured on (or opened in) the engine, by name.</summary>
    /// <exception cref="UnknownSessionException">The engine has no session with that name.</exception>
    public async Task<RemoteSession> GetSessionAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var answer = await AskAsync<object>(new SessionManagerActor.GetSession(name), $"find session '{name}'", cancellationToken).ConfigureAwait(false);
        return answer switch
        {
            SessionManagerActor.SessionFound found => new RemoteSession(this, found.Name, found.Session, found.Spec),
            SessionManagerActor.SessionNotFound notFound => throw new UnknownSessionException(name, notFound.Known),
            _ => throw new SessionException($"unexpected answer {answer.GetType().Name} from the engine at {Address}"),
        };
    }

    /// <summary>Opens a session in the engine (or returns the one already open under that name).</summary>
    public async Task<RemoteSession> OpenSessionAsync(string name, SessionSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(spec);
        var found = await AskAsync<SessionManagerActor.SessionFound>(new SessionManagerActor.OpenSession(name, spec), $"open session '{name}'", cancellationToken).ConfigureAwait(false);
        return new RemoteSession(this, found.Name, found.Session, found.Spec);
    }

    /// <summary>Closes a session in the engine: its running commands (of every client) are killed.</summary>
    public Task CloseSessionAsync(string name, CancellationToken cancellationToken = default) =>
        AskAsync<SessionManagerActor.SessionClosed>(new SessionManagerActor.CloseSession(name), $"close session '{name}'", cancellationToken);

    /// <summary>A session manager over some of the engine's named sessions (all of them when none is named).</summary>
    public async Task<SessionManager> GetSessionManagerAsync(IEnumerable<string>? names = null, CancellationToken cancellationToken = default)
    {
        var manager = System.CreateSessionManager();
        foreach (var name in names ?? await ListSessionsAsync(cancellationToken).ConfigureAwait(false))
        {
            manager.Add(name, await GetSessionAsync(name, cancellationToken).ConfigureAwait(false));
        }

        return manager;
    }

    /// <summary>Stops the client actor system when <see cref="ConnectAsync(string, Config?, CancellationToken)"/> started it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_ownsSystem)
        {
            await System.ActorSystem.Terminate().ConfigureAwait(false);
        }
    }

    private async Task<T> AskAsync<T>(object message, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await Engine.Ask<T>(message, _askTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new EngineUnreachableException($"the RControl engine at {Address} did not answer within {_askTimeout.TotalSeconds:0.#}s ({what})", e);
        }
    }

    private static async Task<IActorRef> ResolveAsync(ActorSystem system, string address, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        var path = address.Contains("/user/", StringComparison.Ordinal) ? address : $"{address.TrimEnd('/')}/user/{RControlEngine.ActorName}";
        if (!ActorPath.TryParse(path, out _))
        {
            throw new ArgumentException($"'{address}' is not an engine address (expected akka.tcp://rcontrol@host:port)", nameof(address));
        }

        var timeout = system.Settings.Config.GetTimeSpan("rcontrol.remote.ask-timeout", TimeSpan.FromSeconds(10));
        if (path.StartsWith("akka.ssl.tcp:", StringComparison.Ordinal) && !RemoteSecurity.IsTlsEnabled(system.Settings.Config))
        {
            throw new EngineUnreachableException($"the engine at {address} uses TLS (akka.ssl.tcp) but this client does not: set rcontrol.remote.tls (see docs/remote.md, section TLS)");
        }

        try
        {
            return await system.ActorSelection(path).ResolveOne(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ActorNotFoundException or AskTimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new EngineUnreachableException(
                $"cannot reach the RControl engine at {path} within {timeout.TotalSeconds:0.#}s: is the daemon running there, and is the address (akka.tcp://rcontrol@host:port) and TLS set-up right?", e);
        }
    }
}
