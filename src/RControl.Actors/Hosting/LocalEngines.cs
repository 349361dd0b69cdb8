using System.Collections.Concurrent;
using Akka.Actor;

namespace RControl.Hosting;

/// <summary>The actors of one engine started in this process: its session directory and its file service.</summary>
/// <param name="Sessions">The session manager (or, on a cluster node, the node's session directory).</param>
/// <param name="Files">The file service running file requests on those sessions.</param>
internal sealed record LocalEngine(IActorRef Sessions, IActorRef Files);

/// <summary>
/// The engines started in one actor system (by <see cref="RControlEngine"/>, <see cref="RControlSystem.Create(Akka.Configuration.Config?, string)"/>
/// or <see cref="RControlSystem.Attach"/>), so a facade attached to an engine's session manager finds its file service.
/// </summary>
internal sealed class LocalEngines : IExtension
{
    private readonly ConcurrentDictionary<IActorRef, LocalEngine> _bySessions = new();

    /// <summary>The engines of <paramref name="system"/>.</summary>
    public static LocalEngines Get(ActorSystem system) => system.WithExtension<LocalEngines, Provider>();

    /// <summary>Remembers a started engine.</summary>
    public void Add(LocalEngine engine) => _bySessions[engine.Sessions] = engine;

    /// <summary>The file service of the engine whose session manager is <paramref name="sessions"/>, or <see cref="ActorRefs.Nobody"/>.</summary>
    public IActorRef FilesOf(IActorRef sessions) => _bySessions.TryGetValue(sessions, out var engine) ? engine.Files : ActorRefs.Nobody;

    private sealed class Provider : ExtensionIdProvider<LocalEngines>
    {
        public override LocalEngines CreateExtension(ExtendedActorSystem system) => new();
    }
}
