namespace RControl.Host.Cli.Plans;

/// <summary>
/// The dependency graph of a plan's tasks (pure logic, no I/O): checked when built — duplicate names,
/// unknown or self dependencies and cycles are refused with the offending names — and walked with a
/// <see cref="PlanProgress"/>.
/// </summary>
public sealed class PlanGraph
{
    private readonly Dictionary<string, IReadOnlyList<string>> _after;
    private readonly Dictionary<string, List<string>> _dependents;

    private PlanGraph(IReadOnlyList<string> names, Dictionary<string, IReadOnlyList<string>> after)
    {
        Names = names;
        _after = after;
        _dependents = names.ToDictionary(n => n, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var name in names)
        {
            foreach (var dependency in after[name])
            {
                _dependents[dependency].Add(name);
            }
        }
    }

    /// <summary>The task names in declaration order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Builds the graph; throws <see cref="UsageException"/> for a duplicate name, an unknown or self dependency, or a cycle.</summary>
    public static PlanGraph Create(IEnumerable<(string Name, IReadOnlyList<string> After)> tasks)
    {
        var names = new List<string>();
        var after = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (name, deps) in tasks)
        {
            if (!after.TryAdd(name, deps.Distinct(StringComparer.Ordinal).ToArray()))
            {
                throw new UsageException($"duplicate task name '{name}'");
            }

            names.Add(name);
        }

        foreach (var name in names)
        {
            foreach (var dependency in after[name])
            {
                if (dependency == name)
                {
                    throw new UsageException($"task '{name}' depends on itself");
                }

                if (!after.ContainsKey(dependency))
                {
                    throw new UsageException($"task '{name}': unknown task '{dependency}' in after (known: {string.Join(", ", names)})");
                }
            }
        }

        var graph = new PlanGraph(names, after);
        if (graph.FindCycle() is { } cycle)
        {
            throw new UsageException($"dependency cycle: {string.Join(" -> ", cycle)}");
        }

        return graph;
    }

    /// <summary>The tasks a task waits for.</summary>
    public IReadOnlyList<string> After(string name) => _after[name];

    /// <summary>The tasks that wait for a task directly.</summary>
    public IReadOnlyList<string> Dependents(string name) => _dependents[name];

    /// <summary>Starts walking the graph.</summary>
    public PlanProgress Start(bool stopAllOnFailure = false) => new(this, stopAllOnFailure);

    private List<string>? FindCycle()
    {
        // 0 = unvisited, 1 = on the current path, 2 = done.
        var color = Names.ToDictionary(n => n, _ => 0, StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var name in Names)
        {
            if (color[name] == 0 && Visit(name) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Visit(string node)
        {
            color[node] = 1;
            path.Add(node);
            foreach (var next in _after[node])
            {
                if (color[next] == 1)
                {
                    var cycle = path.Skip(path.IndexOf(next)).ToList();
                    cycle.Add(next);
                    return cycle;
                }

                if (color[next] == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            color[node] = 2;
            return null;
        }
    }
}

/// <summary>Where a task of a plan stands.</summary>
public enum PlanTaskState
{
    /// <summary>Waiting for its dependencies.</summary>
    Pending,

    /// <summary>Handed out by <see cref="PlanProgress.TakeReady"/>, not completed yet.</summary>
    Running,

    /// <summary>Completed successfully.</summary>
    Succeeded,

    /// <summary>Completed with an error.</summary>
    Failed,

    /// <summary>Will never run: a dependency failed or was skipped (or everything stopped).</summary>
    Skipped,
}

/// <summary>
/// One walk over a <see cref="PlanGraph"/>: a task is ready once all its dependencies succeeded; a failure
/// skips the tasks that depend on it (transitively) and nothing else — or every task not started yet
/// when <c>stopAllOnFailure</c> is set. Not thread-safe: drive it from one place.
/// </summary>
public sealed class PlanProgress
{
    private readonly PlanGraph _graph;
    private readonly bool _stopAll;
    private readonly Dictionary<string, PlanTaskState> _state;
    private readonly Dictionary<string, string> _skipReasons = new(StringComparer.Ordinal);

    internal PlanProgress(PlanGraph graph, bool stopAllOnFailure)
    {
        _graph = graph;
        _stopAll = stopAllOnFailure;
        _state = graph.Names.ToDictionary(n => n, _ => PlanTaskState.Pending, StringComparer.Ordinal);
    }

    /// <summary>True when every task has succeeded, failed or been skipped.</summary>
    public bool IsFinished => _state.Values.All(s => s is PlanTaskState.Succeeded or PlanTaskState.Failed or PlanTaskState.Skipped);

    /// <summary>The state of a task.</summary>
    public PlanTaskState State(string name) => _state[name];

    /// <summary>Why a task was skipped (null when it was not).</summary>
    public string? SkipReason(string name) => _skipReasons.GetValueOrDefault(name);

    /// <summary>Returns the tasks that may start now, in declaration order, and marks them running.</summary>
    public IReadOnlyList<string> TakeReady()
    {
        var ready = _graph.Names
            .Where(n => _state[n] == PlanTaskState.Pending && _graph.After(n).All(d => _state[d] == PlanTaskState.Succeeded))
            .ToArray();
        foreach (var name in ready)
        {
            _state[name] = PlanTaskState.Running;
        }

        return ready;
    }

    /// <summary>Records the end of a running task; returns the tasks skipped because of it (in declaration order).</summary>
    public IReadOnlyList<string> Complete(string name, bool succeeded)
    {
        if (_state[name] != PlanTaskState.Running)
        {
            throw new InvalidOperationException($"task '{name}' is not running (it is {_state[name]})");
        }

        _state[name] = succeeded ? PlanTaskState.Succeeded : PlanTaskState.Failed;
        if (succeeded)
        {
            return [];
        }

        var skipped = new List<string>();
        if (_stopAll)
        {
            foreach (var other in _graph.Names.Where(n => _state[n] == PlanTaskState.Pending))
            {
                Skip(other, $"stopped after '{name}' failed", skipped);
            }
        }
        else
        {
            SkipDependents(name, name, skipped);
        }

        return _graph.Names.Where(skipped.Contains).ToArray();
    }

    private void SkipDependents(string failed, string node, List<string> skipped)
    {
        foreach (var dependent in _graph.Dependents(node))
        {
            if (_state[dependent] == PlanTaskState.Pending)
            {
                Skip(dependent, $"dependency '{failed}' failed", skipped);
                SkipDependents(failed, dependent, skipped);
            }
        }
    }

    private void Skip(string name, string reason, List<string> skipped)
    {
        _state[name] = PlanTaskState.Skipped;
        _skipReasons[name] = reason;
        skipped.Add(name);
    }
}
