using Akka.Configuration;
using Akka.Configuration.Hocon;
using RControl.Protocol;

namespace RControl.Configuration;

/// <summary>
/// Named sessions and groups read from the HOCON session schema (docs/cli.md, docs/ssh.md): the daemon's inventory,
/// a plan file and an embedded app's config all use it.
/// </summary>
public sealed record Inventory(IReadOnlyDictionary<string, SessionSpec> Sessions, IReadOnlyDictionary<string, IReadOnlyList<string>> Groups)
{
    /// <summary>An inventory with no session.</summary>
    public static Inventory Empty { get; } = new(new Dictionary<string, SessionSpec>(), new Dictionary<string, IReadOnlyList<string>>());

    /// <summary>The zone of each zone-pinned session (<c>zone = "dc-eu"</c>): in a cluster, only nodes with that role host it.</summary>
    public IReadOnlyDictionary<string, string> Zones { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Reads <c>sessions { … }</c> and <c>groups { … }</c> from a config (pass <c>config.GetConfig("rcontrol")</c>
    /// for a daemon file). Every problem throws a <see cref="ConfigurationException"/> naming the session and key.
    /// </summary>
    public static Inventory Parse(Config config)
    {
        var sessions = new Dictionary<string, SessionSpec>(StringComparer.Ordinal);
        var zones = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in ChildKeys(config, "sessions"))
        {
            if (!config.GetValue($"sessions.{Quote(name)}").IsObject())
            {
                throw new ConfigKeyException(["sessions", name], $"session '{name}' must be an object ({name} {{ type = local }})");
            }

            sessions[name] = ParseSession(name, config.GetConfig($"sessions.{Quote(name)}"));
            if (new SessionFields(name, config.GetConfig($"sessions.{Quote(name)}")).String("zone") is { } zone)
            {
                zones[name] = Cluster.ClusterZones.Check(name, zone);
            }
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
            var value = config.GetValue($"groups.{Quote(group)}");
            if (!HoconValues.IsStringList(value))
            {
                throw new ConfigKeyException(["groups", group], $"group '{group}' must be a list of session names");
            }

            var members = value.GetArray().Select(m => m.GetString()).ToList();
            var unknown = members.Where(m => !sessions.ContainsKey(m)).ToArray();
            if (unknown.Length > 0)
            {
                throw new ConfigKeyException(["groups", group], $"group '{group}': unknown session(s) {string.Join(", ", unknown)}{(unknown.Length == 1 ? KeySuggestion.Hint(unknown[0], sessions.Keys) : "")}");
            }

            if (sessions.ContainsKey(group))
            {
                throw new ConfigKeyException(["groups", group], $"group '{group}' has the name of a session");
            }

            groups[group] = members.ToArray();
        }

        return new Inventory(sessions, groups) { Zones = zones };
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
        var fields = new SessionFields(name, c);
        var type = fields.String("type") ?? throw fields.Problem("type", "missing 'type' (local or ssh)");
        try
        {
            switch (type)
            {
                case "local":
                    fields.CheckKeys("local", SessionFields.LocalKeys);
                    return new LocalSessionSpec { WorkingDirectory = fields.String("working-directory") };
                case "ssh":
                    fields.CheckKeys("ssh", SessionFields.SshKeys);
                    return ParseSsh(name, fields);
                default:
                    throw fields.Problem("type", $"unknown type '{type}' (expected local or ssh)");
            }
        }
        catch (SpecFieldException e)
        {
            // The spec checks its own fields where it is built: the problem is named with the session and key.
            throw fields.Problem(e.Key, e.Problem);
        }
    }

    private static SshSessionSpec ParseSsh(string name, SessionFields c)
    {
        var host = c.String("host");
        if (string.IsNullOrWhiteSpace(host))
        {
            throw c.Problem("host", "missing 'host'");
        }

        var policy = c.String("host-key-policy");
        var port = c.PositiveInt("port");
        if (port > 65535)
        {
            throw c.Problem("port", $"'port' must be from 1 to 65535, got {port}");
        }

        var spec = new SshSessionSpec(host)
        {
            Port = port,
            User = c.String("user"),
            IdentityFiles = c.StringList("identity-files") ?? [],
            Password = c.String("password"),
            Passphrase = c.String("passphrase"),
            KnownHostsFile = c.String("known-hosts"),
            ProxyJump = c.String("proxy-jump"),
            SshConfigFile = c.String("ssh-config"),
            KeyExchangeAlgorithms = c.StringList("kex-algorithms"),
        };
        // Only what the config sets: every default lives in SshSessionSpec.
        if (policy is not null)
        {
            spec = spec with { HostKeyPolicy = ParsePolicy(name, "host-key-policy", policy, c) };
        }

        if (c.PositiveInt("max-channels") is { } channels)
        {
            spec = spec with { MaxChannels = channels };
        }

        if (c.PositiveInt("max-connections") is { } connections)
        {
            spec = spec with { MaxConnections = connections };
        }

        if (c.Duration("connect-timeout") is { } connect)
        {
            spec = spec with { ConnectTimeout = connect };
        }

        if (c.Duration("keep-alive") is { } keepAlive)
        {
            spec = spec with { KeepAlive = keepAlive };
        }

        if (c.Duration("connect-budget") is { } budget)
        {
            spec = spec with { ConnectBudget = budget };
        }

        return spec;
    }

    private static HostKeyPolicy ParsePolicy(string name, string key, string value, SessionFields fields)
    {
        try
        {
            return ParsePolicy($"session '{name}'", value);
        }
        catch (ConfigurationException e)
        {
            throw new ConfigKeyException(["sessions", name, key], e.Message, e);
        }
    }

    /// <summary>Parses the host-key-policy words of the schema.</summary>
    internal static HostKeyPolicy ParsePolicy(string where, string value) => value switch
    {
        "strict" => HostKeyPolicy.Strict,
        "accept-new" => HostKeyPolicy.AcceptNew,
        "insecure-accept-any" => HostKeyPolicy.InsecureAcceptAny,
        _ => throw new ConfigurationException($"{where}: unknown host-key-policy '{value}' (expected strict, accept-new or insecure-accept-any)"),
    };

    /// <summary>Reads a positive HOCON duration, naming the key when it is not one.</summary>
    internal static TimeSpan Duration(string where, string key, Config c)
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

    /// <summary>The keys directly under a path (empty when the path is missing).</summary>
    internal static IReadOnlyList<string> ChildKeys(Config config, string path)
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
