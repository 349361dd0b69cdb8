using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using Microsoft.Extensions.Logging;
using RControl.Actors;
using RControl.Configuration;
using RControl.Protocol;
using RControl.Remote;
using RControl.Security;

namespace RControl.Hosting;

/// <summary>
/// Marker type of the engine's <see cref="SessionManagerActor"/> in Akka.Hosting's <c>ActorRegistry</c>:
/// inject <c>IRequiredActor&lt;RControlEngine&gt;</c> to reach it in-process. Also starts an engine: the session manager
/// under an unguessable name, its file service, and — when the actor system runs Akka.Remote — the gate under the one
/// well-known name, <c>/user/rcontrol</c>, where remote clients log in (no other actor is reachable remotely by path).
/// </summary>
public sealed class RControlEngine
{
    /// <summary>The gate's name: remote clients log in at <c>akka.ssl.tcp://rcontrol@host:port/user/rcontrol</c>.</summary>
    public const string ActorName = "rcontrol";

    private RControlEngine()
    {
    }

    /// <summary>Starts the engine and opens the inventory's sessions in it; returns the session manager (for in-process use).</summary>
    /// <param name="loggers">Where the audit log goes (category <c>RControl.Audit</c>); Akka's log when null.</param>
    /// <exception cref="RemoteSecurityException">The system runs Akka.Remote without TLS (<c>WithRControlTls</c>) and without the insecure setting.</exception>
    public static IActorRef Start(ActorSystem system, Inventory? inventory = null, ILoggerFactory? loggers = null) =>
        Start(system, inventory, loggers, jobs: null);

    /// <param name="jobs">Jobs kept in a store, with the persisted audit trail (the daemon's); served only over Akka.Remote.</param>
    /// <param name="liveGrants">The client grants now, when they may change while the engine runs (a daemon's minted
    /// credentials); else they are read once from <c>rcontrol.clients</c>.</param>
    internal static IActorRef Start(ActorSystem system, Inventory? inventory, ILoggerFactory? loggers, Jobs.JobService? jobs, Func<ClientGrants>? liveGrants = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        RControlConfig.EnsureReference(system);
        inventory ??= Inventory.Empty;
        var config = system.Settings.Config;
        var remote = ((ExtendedActorSystem)system).Provider is Akka.Remote.IRemoteActorRefProvider;
        EndpointSecurity? security = null;
        ClientGrants grants = ClientGrants.None;
        if (remote)
        {
            security = system.Settings.Setup.Get<EndpointSecurity>().HasValue
                ? system.Settings.Setup.Get<EndpointSecurity>().Value
                : RemoteSecurity.IsInsecure(config) ? EndpointSecurity.InsecureNoAuthentication
                : throw new RemoteSecurityException(
                    "refusing to serve the engine over Akka.Remote without authentication: use WithRControlTls(...) (or RemoteSecurity.CreateSystemSetup), see docs/remote.md, section Security");
            grants = ClientGrants.Parse(config.GetConfig("rcontrol"), inventory.Groups);
        }

        var (manager, files) = StartActors(system, inventory, served: true);
        var clustered = ((ExtendedActorSystem)system).Provider is Akka.Cluster.ClusterActorRefProvider;
        var gateFiles = clustered ? manager : files; // a cluster node's directory sends them to the session's node

        if (security is not null)
        {
            var logger = loggers?.CreateLogger(AuditLog.Category) ?? new AkkaLogger(Logging.GetLogger(system, AuditLog.Category));
            RemoteSecurity.WarnIfInsecure(security, logger);
            var timeout = RControlSettings.Get(system).AskTimeout;
            var jobsLog = loggers?.CreateLogger("RControl.Jobs") ?? new AkkaLogger(Logging.GetLogger(system, "RControl.Jobs"));
            var audit = new AuditLog(logger, jobs?.Writer(jobsLog));
            var jobManager = jobs?.Start(system, manager, audit, jobsLog);
            system.ActorOf(GateActor.Props(new GateActor.Settings(manager, gateFiles, security.Trust, liveGrants ?? (() => grants), audit, timeout) { Jobs = jobManager }), ActorName);
        }

        return manager;
    }

    /// <summary>
    /// The one way an engine's actors start: the session manager (on a cluster node served by this system: the node's
    /// session directory, under an unguessable name) with the inventory's sessions opened, and its file service.
    /// Every engine of a process has a file service, so <see cref="Remote.RemoteEngine.ForEngine"/> reaches its files.
    /// </summary>
    /// <param name="served">The actor system's own engine (<see cref="Start(ActorSystem, Inventory?, ILoggerFactory?)"/>): on a
    /// cluster node its sessions are sharded; false for the private engine of an <see cref="RControlSystem"/>.</param>
    internal static LocalEngine StartActors(ActorSystem system, Inventory inventory, bool served)
    {
        RControlConfig.EnsureReference(system);
        IActorRef manager;
        if (served && ((ExtendedActorSystem)system).Provider is Akka.Cluster.ClusterActorRefProvider)
        {
            // A cluster node: sessions are sharded entities, opened where the cluster places them.
            manager = Cluster.ClusterSessions.Start(system, inventory);
        }
        else
        {
            manager = system.ActorOf(SessionManagerActor.Props(), $"rcontrol-sessions-{Random()}");
            foreach (var (name, spec) in inventory.Sessions)
            {
                manager.Tell(new OpenSession(name, spec));
            }
        }

        // The system's own engine keeps the file service's well-known local name (cluster entities reach it there);
        // the private engines of RControlSystem facades, possibly several per system, get a random suffix.
        var filesName = served ? FileServiceActor.ActorName : $"{FileServiceActor.ActorName}-{Random()}";
        var engine = new LocalEngine(manager, system.ActorOf(FileServiceActor.Props(manager), filesName));
        LocalEngines.Get(system).Add(engine);
        return engine;
    }

    private static string Random() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
}
