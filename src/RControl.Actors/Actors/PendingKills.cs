using System.Collections.Concurrent;
using Akka.Actor;

namespace RControl.Actors;

/// <summary>
/// The kills (and transport shutdowns) still under way in an actor system, per session actor: a task actor ends at
/// once on timeout, kill or close, and its kill goes on in the background. Closing a session or disposing the
/// system waits here — bounded — so that "closed" means the kills were acknowledged, and names what was not.
/// </summary>
internal sealed class PendingKills : IExtension
{
    private readonly ConcurrentDictionary<long, Entry> _pending = new();
    private long _lastId;

    /// <summary>The instance of an actor system.</summary>
    public static PendingKills Get(ActorSystem system) => system.WithExtension<PendingKills, PendingKillsProvider>();

    /// <summary>Tracks a kill until it completes (successfully or not).</summary>
    /// <param name="sessionActor">The path of the session actor the command ran in.</param>
    /// <param name="description">What may still run if the kill never completes, e.g. <c>session 'web1': sleep 77</c>.</param>
    public void Track(ActorPath sessionActor, string description, Task kill)
    {
        var id = Interlocked.Increment(ref _lastId);
        _pending[id] = new Entry(sessionActor, description, kill);
        kill.ContinueWith(
            (_, state) => ((PendingKills)state!)._pending.TryRemove(id, out var _),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Waits until every kill of the session actor (every kill of the system when null) has completed, at most
    /// <paramref name="bound"/>; returns the descriptions of those still under way (empty when all were acknowledged).
    /// </summary>
    public async Task<IReadOnlyList<string>> WaitAsync(ActorPath? sessionActor, TimeSpan bound, CancellationToken cancellationToken = default)
    {
        var deadline = Task.Delay(bound, cancellationToken);
        while (true)
        {
            var pending = _pending.Values.Where(e => sessionActor is null || e.SessionActor.Equals(sessionActor)).ToArray();
            if (pending.Length == 0)
            {
                return [];
            }

            var all = Task.WhenAll(pending.Select(p => p.Kill));
            if (await Task.WhenAny(all, deadline).ConfigureAwait(false) == deadline)
            {
                return _pending.Values
                    .Where(e => !e.Kill.IsCompleted && (sessionActor is null || e.SessionActor.Equals(sessionActor)))
                    .Select(e => e.Description)
                    .Order(StringComparer.Ordinal)
                    .ToArray();
            }

            // New kills may have been tracked meanwhile (a session stopping while we waited): look again.
        }
    }

    /// <summary>Completes when the kills tracked for the session actor so far have completed (later ones are not waited for).</summary>
    internal Task WhenTrackedSoFar(ActorPath sessionActor) =>
        Task.WhenAll(_pending.Values.Where(e => e.SessionActor.Equals(sessionActor)).Select(e => e.Kill));

    private sealed record Entry(ActorPath SessionActor, string Description, Task Kill);

    private sealed class PendingKillsProvider : ExtensionIdProvider<PendingKills>
    {
        public override PendingKills CreateExtension(ExtendedActorSystem system) => new();
    }
}
