using Akka.Configuration;
using Akka.Configuration.Hocon;
using RControl.Protocol;

namespace RControl.Configuration;

/// <summary>
/// Named sessions and groups read from the HOCON session schema (DESIGN.md): the daemon's inventory,
/// a plan file and an embedded app's config all use it.
/// </summary>
public sealed record Inventory(IReadOnlyDictionary<string, SessionSpec> Sessions, IReadOnlyDictionary<string, IReadOnlyList<string>> Groups)
{
    /// <summary>An inventory with no session.</summary>
    public static Inventory Empty { get; } = new(new Dictionary<string, SessionSpec>(), new Dictionary<string, IReadOnlyList<string>>());

    /// <summary>
    /// Reads <c>sessions { … }</c> and <c>groups { … }</c> from a config (pass <c>config.GetConfig("rcontrol")</c>
    /// for a daemon file). Every problem throws a <see cref="ConfigurationException"/> naming the session and key.
    /// </summary>
    public static Inventory Parse(Config config)
    {
        var sessions = new Dictionary<string, SessionSpec>(StringComparer.Ordinal);
        foreach (var name in ChildKeys(config, "sessions"))
        {
            sessions[name] = ParseSession(name, config.GetConfig($"sessions.{Quote(name)}"));
        }

        // Jump hosts named by session are resolved here so a spec is self-contained (it may cross the wire).
        var jumpHosts = sessions.Where(s => s.Value is SshSessionSpec).ToDictionary(s => s.Key, s => (SshSessionSpec)s.Value);
        foreach (var (name, spec) in sessions.ToArray())
        {
            if (spec is SshSessionSpec { ProxyJump: { } jump } ssh && jumpHosts.ContainsKey(jump))
            {
                if (jump == name)
                {
                    throw new ConfigurationException($"session '{name}': proxy-jump names the session itself");
                }

                sessions[name] = ssh with { JumpHosts = jumpHosts };
            }
        }

        var groups = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var group in ChildKeys(config, "groups"))
        {
            var members = config.GetStringList($"groups.{Quote(group)}");
            var unknown = members.Where(m => !sessions.ContainsKey(m)).ToArray();
            if (unknown.Length > 0)
            {
                throw new ConfigurationException($"group '{group}': unknown session(s) {string.Join(", ", unknown)}");
            }

            if (sessions.ContainsKey(group))
            {
                throw new ConfigurationException($"group '{group}' has the name of a session");
            }

            groups[group] = members.ToArray();
        }

        return new Inventory(sessions, groups);
    }

    /// <summary>Parses HOCON text with the environment available for <c>${?VAR}</c> substitutions.</summary>
    public static Inventory Parse(string hocon) => Parse(RControlConfig.Parse(hocon));

    /// <summary>The sessions a name stands for: a session, or every member of a group.</summary>
    public IReadOnlyList<string> Resolve(string name) =>
        Sessions.ContainsKey(name) ? [name]
        : Groups.TryGetValue(name, out var members) ? members
        : throw new UnknownSessionException(name, Sessions.Keys.Concat(Groups.Keys));

    private static SessionSpec ParseSession(string name, Config c)
    {
        var type = c.GetString("type", null) ?? throw new ConfigurationException($"session '{name}': missing 'type' (local or ssh)");
        return type switch
        {
            "local" => new LocalSessionSpec { WorkingDirectory = c.GetString("working-directory", null) },
            "ssh" => ParseSsh(name, c),
            _ => throw new ConfigurationException($"session '{name}': unknown type '{type}' (expected local or ssh)"),
        };
    }

    private static SshSessionSpec ParseSsh(string name, Config c)
    {
        var host = c.GetString("host", null);
        if (string.IsNullOrWhiteSpace(host))
        {
            throw new ConfigurationException($"session '{name}': missing 'host'");
        }

        var spec = new SshSessionSpec(host)
        {
            Port = c.HasPath("port") ? Positive(name, "port", Integer(name, "port", c)) : null,
            User = c.GetString("user", null),
            IdentityFiles = c.HasPath("identity-files") ? c.GetStringList("identity-files").ToArray() : [],
            Password = c.GetString("password", null),
            Passphrase = c.GetString("passphrase", null),
            KnownHostsFile = c.GetString("known-hosts", null),
            HostKeyPolicy = ParsePolicy(name, c.GetString("host-key-policy", "strict")),
            ProxyJump = c.GetString("proxy-jump", null),
            SshConfigFile = c.GetString("ssh-config", null),
            MaxChannels = c.HasPath("max-channels") ? Positive(name, "max-channels", Integer(name, "max-channels", c)) : 10,
            MaxConnections = c.HasPath("max-connections") ? Positive(name, "max-connections", Integer(name, "max-connections", c)) : 1,
            KeyExchangeAlgorithms = c.HasPath("kex-algorithms") ? c.GetStringList("kex-algorithms").ToArray() : null,
        };
        if (c.HasPath("connect-timeout"))
        {
            spec = spec with { ConnectTimeout = Duration(name, "connect-timeout", c) };
        }

        if (c.HasPath("keep-alive"))
        {
            spec = spec with { KeepAlive = Duration(name, "keep-alive", c) };
        }

        return spec;
    }

    /// <summary>Parses the host-key-policy words of the schema.</summary>
    public static HostKeyPolicy ParsePolicy(string where, string value) => value switch
    {
        "strict" => HostKeyPolicy.Strict,
        "accept-new" => HostKeyPolicy.AcceptNew,
        "insecure-accept-any" => HostKeyPolicy.InsecureAcceptAny,
        _ => throw new ConfigurationException($"{where}: unknown host-key-policy '{value}' (expected strict, accept-new or insecure-accept-any)"),
    };

    /// <summary>Reads a positive HOCON duration, naming the key when it is not one.</summary>
    public static TimeSpan Duration(string where, string key, Config c)
    {
        TimeSpan value;
        try
        {
            value = c.GetTimeSpan(key, null, allowInfinite: false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ConfigurationException($"{where}: '{key}' is not a duration ({e.Message})", e);
        }

        return value > TimeSpan.Zero ? value : throw new ConfigurationException($"{where}: '{key}' must be positive, got {c.GetString(key)}");
    }

    private static int Integer(string name, string key, Config c)
    {
        try
        {
            return c.GetInt(key);
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException or ConfigurationException)
        {
            throw new ConfigurationException($"session '{name}': '{key}' must be a whole number, got '{c.GetString(key)}'", e);
        }
    }

    private static int Positive(string name, string key, int value) =>
        value > 0 ? value : throw new ConfigurationException($"session '{name}': '{key}' must be positive, got {value}");

    /// <summary>The keys directly under a path (empty when the path is missing).</summary>
    public static IReadOnlyList<string> ChildKeys(Config config, string path)
    {
        if (!config.HasPath(path))
        {
            return [];
        }

        var value = config.GetValue(path);
        if (!value.IsObject())
        {
            throw new ConfigurationException($"'{path}' must be an object");
        }

        return value.GetObject().Items.Keys.ToArray();
    }

    private static string Quote(string key) => key.Contains('.') ? $"\"{key}\"" : key;
}
