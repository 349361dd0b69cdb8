using Akka.Event;

namespace RControl;

/// <summary>
/// Named sessions (the original's <c>SessionManager</c>): keyed access, a wait-for-tasks across all of
/// them (including tasks a callback of one session starts on another), close, and a scoped form.
/// </summary>
public sealed class SessionManager : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Session> _sessions = new();
    private readonly ILoggingAdapter _log;

    internal SessionManager(RControlSystem system)
    {
        _log = Logging.GetLogger(system.ActorSystem, "RControl.SessionManager");
    }

    /// <summary>
    /// Close sessions at the end of <see cref="RunScopedAsync"/> (default true): those whose own
    /// <see cref="Session.AutoClose"/> is set, as the original closes only its <c>auto_close</c> sessions.
    /// </summary>
    public bool AutoClose { get; set; } = true;

    /// <summary>The session names, sorted.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Keys.Order(StringComparer.Ordinal).ToArray();
            }
        }
    }

    /// <summary>The sessions, by name order.</summary>
    public IReadOnlyList<Session> Sessions
    {
        get
        {
            lock (_gate)
            {
                return _sessions.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value).ToArray();
            }
        }
    }

    /// <summary>Gets a session by name (throws <see cref="UnknownSessionException"/>), or adds/replaces one.</summary>
    public Session this[string name]
    {
        get
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
            lock (_gate)
            {
                return _sessions.TryGetValue(name, out var session) ? session : throw new UnknownSessionException(name, _sessions.Keys);
            }
        }

        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
            ArgumentNullException.ThrowIfNull(value, $"session '{name}'");
            lock (_gate)
            {
                _sessions[name] = value;
            }
        }
    }

    /// <summary>Gets a session by name as a given type; a clear error when it is of another type.</summary>
    public T Get<T>(string name)
        where T : Session =>
        this[name] as T ?? throw new SessionException($"session '{name}' is a {this[name].GetType().Name}, not a {typeof(T).Name}");

    /// <summary>Adds a session under its own <see cref="Session.Name"/>; throws when the name is taken.</summary>
    public void Add(Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var name = session.Name;
        lock (_gate)
        {
            if (!_sessions.TryAdd(name, session))
            {
                throw new ArgumentException($"a session named '{name}' already exists", nameof(name));
            }
        }
    }

    /// <summary>Whether a session has this name.</summary>
    public bool Contains(string name)
    {
        lock (_gate)
        {
            return _sessions.ContainsKey(name);
        }
    }

    /// <summary>Removes a session from the manager (without closing it).</summary>
    public bool Remove(string name)
    {
        lock (_gate)
        {
            return _sessions.Remove(name);
        }
    }

    /// <summary>
    /// Waits until no task runs on any session — also tasks that a callback on one session starts on
    /// another — then returns or throws every unreported error, each once.
    /// </summary>
    public async Task<IReadOnlyList<BaseTaskException>> WaitForTasksAsync(bool raiseIfError = true, CancellationToken cancellationToken = default)
    {
        var errors = new List<BaseTaskException>();
        long[]? previous = null;
        while (true)
        {
            // A pass waits every session idle. Once a pass sees no new registration anywhere since the
            // previous pass, no running task is left that could start another.
            var sessions = Sessions;
            var settled = await Task.WhenAll(sessions.Select(s => s.WaitSettledAsync(cancellationToken))).ConfigureAwait(false);
            errors.AddRange(settled.SelectMany(s => s.Errors));
            var counters = settled.Select(s => s.Registered).ToArray();
            if (previous is not null && previous.SequenceEqual(counters))
            {
                break;
            }

            previous = counters;
        }

        if (raiseIfError && errors.Count > 0)
        {
            throw new TaskErrorsException(errors);
        }

        return errors;
    }

    /// <summary>Closes every session.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default) =>
        await Task.WhenAll(Sessions.Select(s => s.CloseAsync(cancellationToken))).ConfigureAwait(false);

    /// <summary>
    /// The original's <c>with SessionManager() as sessions:</c> block; see <see cref="Session.RunScopedAsync"/>. At the
    /// end it closes only the sessions whose <see cref="Session.AutoClose"/> is set (none when <see cref="AutoClose"/> is false).
    /// </summary>
    public Task RunScopedAsync(Func<SessionManager, Task> body, CancellationToken cancellationToken = default) =>
        Scope.RunAsync(
            () => body(this),
            ct => WaitForTasksAsync(raiseIfError: false, ct),
            () => AutoClose ? CloseAutoCloseSessionsAsync() : Task.CompletedTask,
            _log,
            cancellationToken);

    private async Task CloseAutoCloseSessionsAsync() =>
        await Task.WhenAll(Sessions.Where(s => s.AutoClose).Select(s => s.CloseAsync(CancellationToken.None))).ConfigureAwait(false);

    /// <summary>Closes every session.</summary>
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);
}
