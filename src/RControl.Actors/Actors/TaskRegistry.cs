using System.Collections.Immutable;

namespace RControl.Actors;

/// <summary>
/// The one registry of a session's active tasks, published as an immutable snapshot. A task enters when it is created
/// (so it is listed before <see cref="Session.Execute"/> returns) and only the session's <see cref="TaskSupervisorActor"/>
/// removes it, once the task has settled; readers never lock.
/// </summary>
internal sealed class TaskRegistry
{
    private ImmutableList<RControlTask> _active = ImmutableList<RControlTask>.Empty;

    /// <summary>The active tasks, oldest first.</summary>
    public IReadOnlyList<RControlTask> Snapshot
    {
        get
        {
            var active = Volatile.Read(ref _active);
            return active.Count < 2 ? active : active.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        }
    }

    public void Add(RControlTask task) => ImmutableInterlocked.Update(ref _active, static (list, t) => list.Add(t), task);

    public void Remove(RControlTask task) => ImmutableInterlocked.Update(ref _active, static (list, t) => list.Remove(t), task);
}
