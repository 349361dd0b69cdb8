using RControl.Protocol;

namespace RControl.Host.Cli.Running;

/// <summary>Opens each named session once, on first use, and gives them all back at the end.</summary>
public sealed class SessionPool : IAsyncDisposable
{
    private readonly CliEngine _engine;
    private readonly Func<string, SessionSpec> _specFor;
    private readonly Dictionary<string, Task<Session>> _sessions = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public SessionPool(CliEngine engine, Func<string, SessionSpec> specFor)
    {
        _engine = engine;
        _specFor = specFor;
    }

    /// <summary>The session of that name, opened on first use (throws when it cannot be opened).</summary>
    public Task<Session> GetAsync(string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_sessions.TryGetValue(name, out var session))
            {
                session = _engine.SessionAsync(name, _specFor(name), cancellationToken);
                _sessions[name] = session;
            }

            return session;
        }
    }

    /// <summary>Gives back every session opened.</summary>
    public async ValueTask DisposeAsync()
    {
        Task<Session>[] sessions;
        lock (_gate)
        {
            sessions = _sessions.Values.ToArray();
        }

        await Task.WhenAll(sessions.Select(async s =>
        {
            try
            {
                await _engine.ReleaseAsync(await s.ConfigureAwait(false)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Closing is best effort at exit: results are already reported.
            }
        })).ConfigureAwait(false);
    }
}
