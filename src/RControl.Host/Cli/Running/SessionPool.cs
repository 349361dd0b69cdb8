using RControl.Protocol;

namespace RControl.Host.Cli.Running;

/// <summary>Opens each named session once, on first use, and closes them all at the end.</summary>
public sealed class SessionPool : IAsyncDisposable
{
    private readonly RControlSystem _system;
    private readonly Func<string, SessionSpec> _specFor;
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public SessionPool(RControlSystem system, Func<string, SessionSpec> specFor)
    {
        _system = system;
        _specFor = specFor;
    }

    /// <summary>The session of that name, created on first use (throws when it cannot be created).</summary>
    public Session Get(string name)
    {
        lock (_gate)
        {
            if (!_sessions.TryGetValue(name, out var session))
            {
                session = _system.CreateSession(name, _specFor(name));
                _sessions[name] = session;
            }

            return session;
        }
    }

    /// <summary>Closes every session opened.</summary>
    public async ValueTask DisposeAsync()
    {
        Session[] sessions;
        lock (_gate)
        {
            sessions = _sessions.Values.ToArray();
        }

        await Task.WhenAll(sessions.Select(async s =>
        {
            try
            {
                await s.CloseAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Closing is best effort at exit: results are already reported.
            }
        })).ConfigureAwait(false);
    }
}
