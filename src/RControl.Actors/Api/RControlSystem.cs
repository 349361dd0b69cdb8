using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using RControl.Actors;
using RControl.Configuration;
using RControl.Hosting;
using RControl.Protocol;

namespace RControl;

/// <summary>
/// Entry point of the engine: owns (or attaches to) an <see cref="ActorSystem"/>, creates sessions and
/// session managers. Disposing it stops an owned actor system.
/// </summary>
public sealed class RControlSystem : IAsyncDisposable
{
    private static long _lastSession;
    private readonly bool _ownsSystem;

    private readonly ConcurrentDictionary<IActorRef, byte> _started = new();
    private readonly ConcurrentDictionary<IActorRef, byte> _supervisors = new();
    private int _disposed;

    private RControlSystem(ActorSystem system, bool ownsSystem, IActorRef engine, LocalEngine? startedEngine = null)
    {
        ActorSystem = system;
        _ownsSystem = ownsSystem;
        Engine = engine;
        if (startedEngine is not null)
        {
            _started[startedEngine.Sessions] = 0;
            _started[startedEngine.Files] = 0;
        }
    }

    /// <summary>The actor system the engine runs in.</summary>
    public ActorSystem ActorSystem { get; }

    /// <summary>The engine's <see cref="SessionManagerActor"/>: named sessions shared with remote clients.</summary>
    public IActorRef Engine { get; }

    /// <summary>
    /// Starts an embedded actor system named <c>rcontrol</c> with the given configuration over the reference HOCON, and its
    /// engine the way a hosted one starts (session manager and file service; not served over Akka.Remote).
    /// </summary>
    public static RControlSystem Create(Config? config = null, string name = "rcontrol")
    {
        var full = config is null ? RControlConfig.ReferenceConfig : config.WithFallback(RControlConfig.ReferenceConfig);
        _ = RControlSettings.FromConfig(full); // a value out of range is refused here, naming its key, before anything starts
        var system = ActorSystem.Create(name, full);
        return Started(system, ownsSystem: true);
    }

    /// <summary>Starts an embedded actor system from HOCON text (a syntax error throws a <see cref="ConfigurationException"/> naming it).</summary>
    public static RControlSystem Create(string hocon, string name = "rcontrol") => Create(RControlConfig.Parse(hocon), name);

    /// <summary>
    /// Uses a host application's actor system; disposing does not stop it. Without <paramref name="engine"/> a private
    /// engine is started there (as by <see cref="Create(Config?, string)"/>) and stopped at disposal.
    /// </summary>
    public static RControlSystem Attach(ActorSystem system, IActorRef? engine = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        RControlConfig.EnsureReference(system);
        return engine is null ? Started(system, ownsSystem: false) : new RControlSystem(system, ownsSystem: false, engine);
    }

    /// <summary>Creates a session on the local machine.</summary>
    public LocalSession CreateLocalSession(string name = "local", LocalSessionSpec? spec = null) =>
        (LocalSession)CreateSession(name, spec ?? new LocalSessionSpec());

    /// <summary>Creates a session on an SSH host (nothing connects until the first command).</summary>
    public SshSession CreateSshSession(string name, SshSessionSpec spec) => (SshSession)CreateSession(name, spec);

    /// <summary>Creates a session of any kind (local, SSH …) from its spec, e.g. one read from an <see cref="Inventory"/>.</summary>
    public Session CreateSession(string name, SessionSpec spec)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(spec);
        return SessionFactory.CreateFacade(spec, this, name, StartSessionActor(name, spec)).WithSpec(spec);
    }

    /// <summary>Creates an empty session manager.</summary>
    public SessionManager CreateSessionManager() => new(this);

    /// <summary>Starts a session actor in this process for a spec (used by session facades).</summary>
    internal IActorRef StartSessionActor(string name, SessionSpec spec)
    {
        var actor = ActorSystem.ActorOf(SessionActor.Props(name, spec), $"rcontrol-session-{Interlocked.Increment(ref _lastSession)}");
        _started[actor] = 0;
        return actor;
    }

    /// <summary>Remembers a session facade's task supervisor: disposal waits until its tasks are settled.</summary>
    internal void TrackSupervisor(IActorRef supervisor) => _supervisors[supervisor] = 0;

    /// <summary>Forgets a session actor that has stopped (its session was closed): nothing left to stop at disposal.</summary>
    internal void Forget(IActorRef sessionActor) => _started.TryRemove(sessionActor, out _);

    /// <summary>
    /// Stops the sessions this object started (and its engine, with the engine's sessions, when it started that
    /// too): every running command is killed, and this returns once the kills were acknowledged (locally: no
    /// process of a command's group is left) or after <see cref="Session.KillAcknowledgeTimeout"/>, logging the
    /// commands that may still run. Then stops the actor system when this object started it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!ActorSystem.WhenTerminated.IsCompleted)
        {
            await Task.WhenAll(_started.Keys.Select(StopQuietlyAsync)).ConfigureAwait(false);
            var unacknowledged = await PendingKills.Get(ActorSystem).WaitAsync(null, Session.KillAcknowledgeTimeout).ConfigureAwait(false);
            if (unacknowledged.Count > 0)
            {
                ActorSystem.Log.Warning(
                    "RControl stopped, but these kills were not acknowledged within {0}s; the commands may still run: {1}",
                    Session.KillAcknowledgeTimeout.TotalSeconds,
                    string.Join("; ", unacknowledged));
            }

            // The kills are done; each task's end is still on its way to the facade: settle them before the system stops.
            await Task.WhenAll(_supervisors.Keys.Select(WhenIdleQuietlyAsync)).ConfigureAwait(false);
        }

        if (_ownsSystem)
        {
            await ActorSystem.Terminate().ConfigureAwait(false);
        }
    }

    private static async Task WhenIdleQuietlyAsync(IActorRef supervisor)
    {
        try
        {
            await supervisor.Ask<TaskSupervisorActor.Idle>(TaskSupervisorActor.WhenIdle.Instance, Session.KillAcknowledgeTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            // A task still unsettled after the kill bound is reported by its own wait, not here.
        }
    }

    private static async Task StopQuietlyAsync(IActorRef actor)
    {
        try
        {
            await actor.GracefulStop(RControlSettings.SessionStopTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            // Stopping goes on; the kills it starts are waited for below.
        }
    }

    /// <summary>A facade over a private engine started in <paramref name="system"/> (the same start as a hosted engine's, unserved).</summary>
    private static RControlSystem Started(ActorSystem system, bool ownsSystem)
    {
        // Read (and checked) before any session needs them: a value out of range is refused here, naming its key.
        _ = RControlSettings.Get(system);
        var engine = RControlEngine.StartActors(system, Inventory.Empty, served: false);
        return new RControlSystem(system, ownsSystem, engine.Sessions, engine);
    }
}
