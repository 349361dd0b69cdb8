using Akka.Configuration;
using RControl.Configuration;
using RControl.Security;

namespace RControl.Host.Daemon;

/// <summary>
/// The client grants of a daemon that keeps its own CA: <c>rcontrol.clients</c> of the config file over the credentials
/// minted into the state directory's <c>clients.conf</c>. The file is read again when it changes, so
/// <c>credentials issue</c> and <c>credentials revoke</c> apply to a running daemon (checked at each login and every
/// second); a file that does not parse keeps the grants it had, and says so once.
/// </summary>
internal sealed class MintedGrants
{
    private readonly Config _user;
    private readonly Config _below;
    private readonly string _file;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _groups;
    private readonly Lock _gate = new();
    private (bool Exists, DateTime Written, long Length) _seen;
    private (bool Exists, DateTime Written, long Length) _warned;
    private ClientGrants _current;

    /// <param name="user">The config file as written (its grants win).</param>
    /// <param name="below">The daemon defaults and the reference (the bootstrap <c>admin</c> grant).</param>
    public MintedGrants(Config user, Config below, string file, IReadOnlyDictionary<string, IReadOnlyList<string>> groups)
    {
        _user = user;
        _below = below;
        _file = file;
        _groups = groups;
        _seen = Stat();
        _current = Parse(); // a bad file fails the daemon's start, naming file, client and key
    }

    /// <summary>Where a file that no longer parses is reported (the daemon's log).</summary>
    public Action<string> Warn { get; set; } = _ => { };

    /// <summary>The grants now (the same instance while the file is unchanged).</summary>
    public ClientGrants Current()
    {
        lock (_gate)
        {
            var now = Stat();
            if (now == _seen)
            {
                return _current;
            }

            try
            {
                _current = Parse();
                _seen = now;
            }
            catch (ConfigurationException e) when (now != _warned)
            {
                // Perhaps caught halfway through a write: tried again at the next check, reported once.
                _warned = now;
                Warn($"{_file}: {e.Message} (the grants in force are kept)");
            }
            catch (ConfigurationException)
            {
            }

            return _current;
        }
    }

    private (bool, DateTime, long) Stat()
    {
        var info = new FileInfo(_file);
        return info.Exists ? (true, info.LastWriteTimeUtc, info.Length) : (false, default, 0);
    }

    private ClientGrants Parse()
    {
        var minted = File.Exists(_file) ? RControlConfig.ParseUser(File.ReadAllText(_file), _file) : Config.Empty;
        return ClientGrants.Parse(_user.WithFallback(minted).WithFallback(_below).GetConfig("rcontrol"), _groups);
    }
}
