using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Configuration;
using RControl.Actors;
using RControl.Configuration;
using RControl.Hosting;
using RControl.Protocol;
using RControl.Security;

namespace RControl.Remote;

/// <summary>
/// A client's handle on an RControl engine, reached over Akka.Remote — or in this process (<see cref="ForEngine"/>).
/// Over Akka.Remote the client logs in at the engine's gate with its credential and then talks only to its own
/// connection actor there, which authorizes and audits every request. Gives the engine's named sessions as
/// <see cref="RemoteSession"/>s, and opens new sessions there from a <see cref="SessionSpec"/>. If the engine restarts,
/// the next request logs in again by itself.
/// </summary>
public sealed partial class RemoteEngine : IAsyncDisposable
{
    private readonly bool _ownsSystem;
    private readonly TimeSpan _askTimeout;
    private readonly string? _gatePath;
    private readonly X509Certificate2? _certificate;
    private readonly PeerTrust? _trust;
    private readonly EndpointSecurity? _security;
    private readonly SemaphoreSlim _relogin = new(1, 1);
    private IActorRef? _link;
    private Config? _clientConfig;
    private volatile IActorRef _engine;
    private volatile bool _lost;
    private long _lostAt;

    private RemoteEngine(RControlSystem system, IActorRef engine, bool ownsSystem, string? gatePath = null, EndpointSecurity? security = null, IActorRef? link = null, string? identity = null)
    {
        System = system;
        _engine = engine;
        _ownsSystem = ownsSystem;
        _gatePath = gatePath;
        _certificate = security?.Certificate;
        _trust = security?.Trust;
        _security = security;
        _link = link;
        Identity = identity;
        _askTimeout = RControlSettings.Get(system.ActorSystem).AskTimeout;
    }

    /// <summary>How long one file request (a chunk, a stat …) may take before it fails.</summary>
    internal TimeSpan FileTimeout => _askTimeout + _askTimeout;

    /// <summary>
    /// The client-side RControl system (callbacks and task handles live there). When this engine owns its client system
    /// and a restarted engine cannot be reached from it again, a fresh client system replaces it (see docs/remote.md).
    /// </summary>
    public RControlSystem System { get; private set; }

    /// <summary>
    /// Where requests go: this client's connection actor in the engine (over Akka.Remote), or the engine's session manager
    /// (in this process).
    /// </summary>
    public IActorRef Engine => _engine;

    /// <summary>The identity this client logged in as (the credential's name), or null in this process.</summary>
    public string? Identity { get; private set; }

    /// <summary>The engine's address, e.g. <c>akka.ssl.tcp://rcontrol@127.0.0.1:4053</c>.</summary>
    public Address Address => _engine.Path.Address;

    /// <summary>Where file requests go (the connection actor, or the in-process file service).</summary>
    internal ActorSelection FileService => _gatePath is null
        ? new ActorSelection(LocalEngines.Get(System.ActorSystem).FilesOf(_engine), "")
        : new ActorSelection(_engine, "");

    /// <summary>
    /// Starts a client actor system (Akka.Remote on 127.0.0.1, a free port, mutual TLS with the client's credential) and logs
    /// in to the engine at <paramref name="address"/> (<c>akka.ssl.tcp://rcontrol@host:port</c>; <c>akka.tcp://</c> is
    /// taken as the same address). The credential comes from <c>rcontrol.remote.credential</c> in <paramref name="config"/>,
    /// the <c>RCONTROL_CREDENTIAL</c> environment variable, or the per-user file the daemon wrote for its own user
    /// (see docs/remote.md, section Security). Disposing the returned engine stops that client system.
    /// </summary>
    /// <param name="config">Client configuration in front of the reference HOCON (credential, TLS, timeouts).</param>
    /// <exception cref="EngineUnreachableException">No engine answered at that address in time.</exception>
    /// <exception cref="AccessDeniedException">The engine refused this client's credential.</exception>
    /// <exception cref="RemoteSecurityException">No usable credential (the message lists where it looked).</exception>
    public static async Task<RemoteEngine> ConnectAsync(string address, Config? config = null, CancellationToken cancellationToken = default)
    {
        var (host, port) = HostAndPort(address);
        var user = (config ?? Config.Empty).WithFallback(RControlConfig.ReferenceConfig);
        var security = RemoteSecurity.ForClient(user, host, port);
        var system = CreateClientSystem(config, security);
        try
        {
            var engine = await LoginAsync(RControlSystem.Attach(system, ActorRefs.Nobody), address, security, ownsSystem: true, cancellationToken).ConfigureAwait(false);
            engine._clientConfig = config;
            return engine;
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Connects to an engine from an existing RControl system, which must run Akka.Remote secured by
    /// <see cref="RemoteSecurity.CreateSystemSetup"/> or <c>WithRControlTls</c> (its certificate is the login credential).
    /// </summary>
    public static Task<RemoteEngine> ConnectAsync(RControlSystem system, string address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        var setup = system.ActorSystem.Settings.Setup.Get<EndpointSecurity>();
        var security = setup.HasValue ? setup.Value : EndpointSecurity.InsecureNoAuthentication;
        return LoginAsync(system, address, security, ownsSystem: false, cancellationToken);
    }

    /// <summary>The named sessions of an engine running in this process (e.g. registered by <c>WithRControl</c>).</summary>
    public static RemoteEngine ForEngine(RControlSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return new RemoteEngine(system, system.Engine, ownsSystem: false);
    }

    /// <summary>
    /// Builds a client actor system: Akka.Remote on 127.0.0.1 and a free port, Akka log level WARNING (override with
    /// <c>akka.loglevel</c>), secured as <see cref="RemoteSecurity.ForClient"/> finds (credential, <c>rcontrol.remote.tls</c>,
    /// or the insecure setting).
    /// </summary>
    public static ActorSystem CreateClientSystem(Config? config = null, string name = "rcontrol-client") =>
        CreateClientSystem(config, null, name);

    /// <summary>Builds a client actor system secured by <paramref name="security"/> (see <see cref="CreateClientSystem(Config?, string)"/>).</summary>
    internal static ActorSystem CreateClientSystem(Config? config, EndpointSecurity? security, string name = "rcontrol-client")
    {
        var user = (config ?? Config.Empty)
            .WithFallback(ConfigurationFactory.ParseString("akka.actor.provider = remote\nakka.remote.dot-netty.tcp.port = 0\nakka.remote.dot-netty.tcp.hostname = \"127.0.0.1\"\nakka.loglevel = WARNING"))
            .WithFallback(RControlConfig.ReferenceConfig);
        return ActorSystem.Create(name, RemoteSecurity.CreateSystemSetup(user, security ?? RemoteSecurity.ForClient(user, null, null)));
    }

    /// <summary>The engine's session names this client may use, sorted.</summary>
    public async Task<IReadOnlyList<string>> ListSessionsAsync(CancellationToken cancellationToken = default)
    {
        var list = await AskAsync<SessionList>(ListSessions.Instance, "list sessions", cancellationToken).ConfigureAwait(false);
        return list.Names;
    }

    /// <summary>The members of the engine's cluster with their status, roles and counts; empty when the engine is not a cluster node.</summary>
    public async Task<IReadOnlyList<Cluster.ClusterMember>> ListNodesAsync(CancellationToken cancellationToken = default)
    {
        var list = await AskAsync<Cluster.ClusterNodes.NodeList>(new Cluster.ClusterNodes.ListNodes(LocalOnly: false), "list nodes", cancellationToken).ConfigureAwait(false);
        return list.Nodes;
    }

    /// <summary>A session configured on (or opened in) the engine, by name.</summary>
    /// <exception cref="UnknownSessionException">The engine has no session with that name.</exception>
    /// <exception cref="AccessDeniedException">This client may not use the session.</exception>
    public async Task<RemoteSession> GetSessionAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var answer = await AskAsync<object>(new GetSession(name), $"find session '{name}'", cancellationToken).ConfigureAwait(false);
        return answer switch
        {
            SessionFound found => new RemoteSession(this, found.Name, found.Session, found.Spec),
            SessionNotFound notFound => throw new UnknownSessionException(name, notFound.Known),
            _ => throw new SessionException($"unexpected answer {answer.GetType().Name} from the engine at {Address}"),
        };
    }

    /// <summary>Opens a session in the engine (or returns the one already open under that name).</summary>
    /// <exception cref="AccessDeniedException">This client may not open sessions.</exception>
    public async Task<RemoteSession> OpenSessionAsync(string name, SessionSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(spec);
        var found = await AskAsync<SessionFound>(new OpenSession(name, spec), $"open session '{name}'", cancellationToken).ConfigureAwait(false);
        return new RemoteSession(this, found.Name, found.Session, found.Spec);
    }

    /// <summary>Closes a session in the engine: its running commands (of every client) are killed.</summary>
    /// <exception cref="AccessDeniedException">This client may not close sessions.</exception>
    public Task CloseSessionAsync(string name, CancellationToken cancellationToken = default) =>
        AskAsync<SessionClosed>(new CloseSession(name), $"close session '{name}'", cancellationToken);

    /// <summary>A session manager over some of the engine's named sessions (all this client may use when none is named).</summary>
    public async Task<SessionManager> GetSessionManagerAsync(IEnumerable<string>? names = null, CancellationToken cancellationToken = default)
    {
        var manager = System.CreateSessionManager();
        foreach (var name in names ?? await ListSessionsAsync(cancellationToken).ConfigureAwait(false))
        {
            manager.Add(await GetSessionAsync(name, cancellationToken).ConfigureAwait(false));
        }

        return manager;
    }

    /// <summary>Stops the client actor system when <see cref="ConnectAsync(string, Config?, CancellationToken)"/> started it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_link is not null && !_ownsSystem)
        {
            await _link.GracefulStop(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }

        if (_ownsSystem)
        {
            await System.ActorSystem.Terminate().ConfigureAwait(false);
        }

        _relogin.Dispose();
    }

    private async Task<T> AskAsync<T>(object message, string what, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (_lost && _gatePath is not null)
            {
                await ReloginAsync(cancellationToken).ConfigureAwait(false);
            }

            object answer;
            try
            {
                answer = await _engine.Ask<object>(message, _askTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (AskTimeoutException e)
            {
                if (_gatePath is not null && attempt == 0)
                {
                    _lost = true; // the engine may have restarted: find its new incarnation and log in again
                    continue;
                }

                throw new EngineUnreachableException($"the RControl engine at {Address} did not answer within {_askTimeout.TotalSeconds:0.#}s ({what})", e);
            }

            return answer switch
            {
                AccessDenied denied => throw new AccessDeniedException(denied.Reason),
                T t => t,
                _ => throw new SessionException($"unexpected answer {answer.GetType().Name} from the engine at {Address} ({what})"),
            };
        }
    }

    private async Task ReloginAsync(CancellationToken cancellationToken)
    {
        await _relogin.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_lost)
            {
                return;
            }

            // Right after Akka declared the old incarnation lost, its association is still being torn down (gated,
            // quarantined): let that settle before associating with the new incarnation.
            var settle = System.ActorSystem.Settings.Config.GetTimeSpan("akka.remote.retry-gate-closed-for", TimeSpan.FromSeconds(5));
            var since = TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lostAt));
            if (Interlocked.Read(ref _lostAt) != 0 && since < settle)
            {
                await Task.Delay(settle - since, cancellationToken).ConfigureAwait(false);
            }

            // A restarted engine may take a while to accept the association again (gated, taken over). Classic Akka.Remote
            // may also have quarantined the new incarnation for good (system messages of the old one that could not be
            // redelivered): a client that owns its system then starts a fresh one instead of waiting forever.
            try
            {
                var gate = await ResolveAsync(System.ActorSystem, _gatePath!, _trust, _certificate, cancellationToken, _ownsSystem ? _askTimeout : _askTimeout * 3).ConfigureAwait(false);
                var (connection, identity) = await HandshakeAsync(gate, _certificate, _link!, _askTimeout, cancellationToken).ConfigureAwait(false);
                _link!.Tell(new ClientLinkActor.WatchConnection(connection));
                _engine = connection;
                Identity = identity;
            }
            catch (EngineUnreachableException) when (_ownsSystem && _security is not null)
            {
                await LoginFromFreshSystemAsync(_security, cancellationToken).ConfigureAwait(false);
            }

            _lost = false;
        }
        finally
        {
            _relogin.Release();
        }
    }

    private async Task LoginFromFreshSystemAsync(EndpointSecurity security, CancellationToken cancellationToken)
    {
        var fresh = CreateClientSystem(_clientConfig, security);
        try
        {
            var gate = await ResolveAsync(fresh, _gatePath!, _trust, _certificate, cancellationToken, _askTimeout * 2).ConfigureAwait(false);
            var link = fresh.ActorOf(ClientLinkActor.Props(OnConnectionLost), LinkName());
            var (connection, identity) = await HandshakeAsync(gate, _certificate, link, _askTimeout, cancellationToken).ConfigureAwait(false);
            link.Tell(new ClientLinkActor.WatchConnection(connection));
            var old = System.ActorSystem;
            System = RControlSystem.Attach(fresh, connection);
            _link = link;
            _engine = connection;
            Identity = identity;
            await old.Terminate().ConfigureAwait(false);
        }
        catch
        {
            await fresh.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    private void OnConnectionLost(IActorRef lost)
    {
        if (lost.Equals(_engine))
        {
            Interlocked.Exchange(ref _lostAt, Environment.TickCount64);
            _lost = true;
        }
    }

    private static string LinkName() => $"rcontrol-link-{Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant()}";

    private static async Task<RemoteEngine> LoginAsync(RControlSystem system, string address, EndpointSecurity security, bool ownsSystem, CancellationToken cancellationToken)
    {
        var path = GatePath(address, security);
        var actorSystem = system.ActorSystem;
        var timeout = RControlSettings.Get(actorSystem).AskTimeout;
        var gate = await ResolveAsync(actorSystem, path, security.Trust, security.Certificate, cancellationToken).ConfigureAwait(false);
        RemoteEngine? engine = null;
        var link = actorSystem.ActorOf(ClientLinkActor.Props(lost => engine?.OnConnectionLost(lost)), LinkName());
        try
        {
            var (connection, identity) = await HandshakeAsync(gate, security.Certificate, link, timeout, cancellationToken).ConfigureAwait(false);
            engine = new RemoteEngine(RControlSystem.Attach(actorSystem, connection), connection, ownsSystem, path, security, link, identity);
            link.Tell(new ClientLinkActor.WatchConnection(connection));
            return engine;
        }
        catch
        {
            actorSystem.Stop(link);
            throw;
        }
    }

    private static async Task<(IActorRef Connection, string Identity)> HandshakeAsync(IActorRef gate, X509Certificate2? certificate, IActorRef link, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var challenge = await gate.Ask<object>(new Login.Hello(certificate?.RawData, link), timeout, cancellationToken).ConfigureAwait(false);
            if (challenge is Login.Refused refused)
            {
                throw new AccessDeniedException($"the RControl engine at {gate.Path.Address} refused the login: {refused.Reason}");
            }

            var c = (Login.Challenge)challenge;
            var signature = certificate is null ? [] : LoginProof.Sign(certificate, c.Nonce);
            var answer = await c.Connection.Ask<object>(new Login.Proof(signature), timeout, cancellationToken).ConfigureAwait(false);
            return answer switch
            {
                Login.Accepted accepted => (c.Connection, accepted.Identity),
                Login.Refused no => throw new AccessDeniedException($"the RControl engine at {gate.Path.Address} refused the login: {no.Reason}"),
                _ => throw new SessionException($"unexpected login answer {answer.GetType().Name} from {gate.Path.Address}"),
            };
        }
        catch (AskTimeoutException e)
        {
            throw new EngineUnreachableException($"the RControl engine at {gate.Path.Address} did not answer the login within {timeout.TotalSeconds:0.#}s", e);
        }
    }

    private static string GatePath(string address, EndpointSecurity security)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        var path = address.Contains("/user/", StringComparison.Ordinal) ? address : $"{address.TrimEnd('/')}/user/{RControlEngine.ActorName}";
        if (!ActorPath.TryParse(path, out _))
        {
            throw new ArgumentException($"'{address}' is not an engine address (expected akka.ssl.tcp://rcontrol@host:port)", nameof(address));
        }

        if (!security.Insecure && path.StartsWith("akka.tcp://", StringComparison.Ordinal))
        {
            // Every endpoint runs TLS: the plain scheme names the same engine.
            path = "akka.ssl.tcp://" + path["akka.tcp://".Length..];
        }
        else if (security.Insecure && path.StartsWith("akka.ssl.tcp://", StringComparison.Ordinal))
        {
            throw new EngineUnreachableException($"the engine at {address} uses TLS (akka.ssl.tcp) but this client runs with {RemoteSecurity.InsecureKey} = on");
        }

        return path;
    }

    private static (string? Host, int? Port) HostAndPort(string address)
    {
        try
        {
            var parsed = Akka.Actor.Address.Parse(address.Contains("/user/", StringComparison.Ordinal) ? address[..address.IndexOf("/user/", StringComparison.Ordinal)] : address.TrimEnd('/'));
            return (parsed.Host, parsed.Port);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            throw new ArgumentException($"'{address}' is not an engine address (expected akka.ssl.tcp://rcontrol@host:port)", nameof(address), e);
        }
    }

    private static async Task<IActorRef> ResolveAsync(ActorSystem system, string path, PeerTrust? trust, X509Certificate2? certificate, CancellationToken cancellationToken, TimeSpan? within = null)
    {
        var timeout = within ?? RControlSettings.Get(system).AskTimeout;
        var deadline = DateTime.UtcNow + timeout;
        var extended = false;
        while (true)
        {
            try
            {
                // Each try is short, so a request lost in a dying association is sent again over the next one.
                var left = deadline - DateTime.UtcNow;
                return await system.ActorSelection(path).ResolveOne(left < TimeSpan.FromSeconds(6) ? left : TimeSpan.FromSeconds(6), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ActorNotFoundException or AskTimeoutException && DateTime.UtcNow + TimeSpan.FromMilliseconds(500) < deadline && !cancellationToken.IsCancellationRequested)
            {
                if (!extended && (e is AskTimeoutException || e.InnerException is AskTimeoutException))
                {
                    // Slow, not refused (a loaded machine, a handshake in progress): one more window of the same length.
                    extended = true;
                    deadline += timeout;
                }

                // Answered "not found" at once: the association is still gated after a lost incarnation, or the engine is starting.
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ActorNotFoundException or AskTimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var why = trust?.LastRefusal is { } refusal
                    ? $"this client refused the engine's certificate: {refusal}"
                    : certificate is not null
                        ? $"is the daemon running there, is the address right, and does it accept this client's credential ({certificate.Subject}, issued by {certificate.Issuer})?"
                        : "is the daemon running there, and is the address (akka.ssl.tcp://rcontrol@host:port) right?";
                throw new EngineUnreachableException($"cannot reach the RControl engine at {path} within {timeout.TotalSeconds:0.#}s: {why}", e);
            }
        }
    }
}
