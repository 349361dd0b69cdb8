using System.Globalization;
using RControl.Configuration;
using RControl.Protocol;

namespace RControl.Host.Cli.Targets;

/// <summary>A place to run on: a session name and its spec.</summary>
public sealed record Target(string Name, SessionSpec Spec);

/// <summary>SSH settings from the command line, applied to SSH targets.</summary>
public sealed record SshDefaults
{
    /// <summary>No defaults.</summary>
    public static SshDefaults None { get; } = new();

    /// <summary><c>--identity</c>: used by SSH targets that name no identity file.</summary>
    public string? Identity { get; init; }

    /// <summary><c>--known-hosts</c>: used by SSH targets that name no known_hosts file.</summary>
    public string? KnownHosts { get; init; }

    /// <summary><c>--host-key-policy</c>: when given, applies to every SSH target.</summary>
    public HostKeyPolicy? Policy { get; init; }

    /// <summary><c>--ssh-config</c>: the ssh_config file for aliases (default <c>~/.ssh/config</c>).</summary>
    public string? SshConfig { get; init; }

    /// <summary><c>-l/--user</c>: the login of SSH targets that name none.</summary>
    public string? User { get; init; }

    /// <summary><c>--connect-timeout</c>: when given, applies to every SSH target, as its connect timeout and connect budget.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>The identity files' passphrase (environment or prompt), for SSH targets that give none. Never printed.</summary>
    public string? Passphrase { get; init; }

    /// <summary>The password (prompt), for SSH targets that give none. Never printed.</summary>
    public string? Password { get; init; }

    /// <summary><c>-o Key=Value</c>: ssh_config options that win over every other setting of SSH targets.</summary>
    public SshOptions Options { get; init; } = SshOptions.None;

    /// <summary>Applies these defaults to a spec (SSH specs only).</summary>
    public SessionSpec Apply(SessionSpec spec)
    {
        try
        {
            return ApplyUnchecked(spec);
        }
        catch (SpecFieldException field)
        {
            throw new UsageException($"bad ssh option: {field.Problem}");
        }
    }

    private SessionSpec ApplyUnchecked(SessionSpec spec) => spec is not SshSessionSpec ssh ? spec : Options.Apply(ssh with
    {
        User = ssh.User ?? User,
        IdentityFiles = ssh.IdentityFiles.Count == 0 && Identity is not null ? [Identity] : ssh.IdentityFiles,
        KnownHostsFile = ssh.KnownHostsFile ?? KnownHosts,
        HostKeyPolicy = Policy ?? ssh.HostKeyPolicy,
        SshConfigFile = ssh.SshConfigFile ?? SshConfig,
        ConnectTimeout = ConnectTimeout ?? ssh.ConnectTimeout,

        // As ssh's ConnectTimeout: the whole wait, retries included (not one attempt of the 30 s connect budget).
        ConnectBudget = ConnectTimeout ?? ssh.ConnectBudget,
        Passphrase = ssh.Passphrase ?? Passphrase,
        Password = ssh.Password ?? Password,
    });

    /// <summary>Secrets are never printed.</summary>
    public override string ToString() =>
        $"SshDefaults {{ User = {User}, Identity = {Identity}, Passphrase = {(Passphrase is null ? "null" : "***")}, Password = {(Password is null ? "null" : "***")} }}";
}

/// <summary>
/// Turns command-line targets into sessions: <c>local</c>, inventory session and group names,
/// <c>~/.ssh/config</c> aliases, <c>user@host:port</c>, and host ranges (<c>web[01-20].example.com</c>).
/// A bare word (no <c>.</c>, <c>@</c>, <c>:</c>) must be one of the names above: otherwise it is refused as an unknown session.
/// </summary>
public static class TargetResolver
{
    /// <summary>The built-in name of the local machine.</summary>
    public const string LocalName = "local";

    /// <summary>Resolves targets in order, without duplicates.</summary>
    public static IReadOnlyList<Target> Resolve(IEnumerable<string> targets, Inventory inventory, SshDefaults defaults)
    {
        var aliases = SshConfigAliases(defaults.SshConfig);
        var result = new List<Target>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in targets)
        {
            foreach (var item in TargetList.Split(raw).SelectMany(ExpandTopLevel))
            {
                foreach (var target in ResolveOne(item.Text, item.FromRange, inventory, defaults, aliases))
                {
                    if (seen.Add(target.Name))
                    {
                        result.Add(target);
                    }
                }
            }
        }

        return result.Count > 0 ? result : throw new UsageException("no target given (use -t local, -t user@host, -t <inventory name>)");
    }

    /// <summary>The spec of a session name used by a plan (local or an inventory session).</summary>
    public static SessionSpec SpecFor(string session, Inventory inventory, SshDefaults defaults) =>
        inventory.Sessions.TryGetValue(session, out var spec) ? defaults.Apply(spec)
        : session == LocalName ? new LocalSessionSpec()
        : throw new UsageException($"unknown session '{session}'");

    /// <summary>Parses <c>[user@]host[:port]</c> into an SSH spec.</summary>
    public static SshSessionSpec ParseHost(string text)
    {
        string? user = null;
        var host = text;
        var at = host.LastIndexOf('@');
        if (at >= 0)
        {
            user = host[..at];
            host = host[(at + 1)..];
        }

        int? port = null;
        var colon = host.LastIndexOf(':');
        if (colon >= 0)
        {
            var portText = host[(colon + 1)..];
            port = int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536
                ? p
                : throw new UsageException($"bad target '{text}': port '{portText}' is not a number from 1 to 65535");
            host = host[..colon];
        }

        if (host.Length == 0 || (user is not null && user.Length == 0))
        {
            throw new UsageException($"bad target '{text}': expected [user@]host[:port]");
        }

        try
        {
            return new SshSessionSpec(host) { User = user, Port = port };
        }
        catch (SpecFieldException field)
        {
            throw new UsageException($"bad target '{text}': {field.Problem}");
        }
    }

    private static IEnumerable<(string Text, bool FromRange)> ExpandTopLevel(string item) =>
        HostRange.IsRange(item) ? HostRange.Expand(item).Select(h => (h, true)) : [(item, false)];

    private static IEnumerable<Target> ResolveOne(string item, bool fromRange, Inventory inventory, SshDefaults defaults, IReadOnlySet<string> aliases)
    {
        if (inventory.Sessions.ContainsKey(item) || inventory.Groups.ContainsKey(item))
        {
            return inventory.Resolve(item).Select(n => new Target(n, defaults.Apply(inventory.Sessions[n])));
        }

        if (item == LocalName)
        {
            return [new Target(LocalName, new LocalSessionSpec())];
        }

        if (fromRange || aliases.Contains(item) || item.IndexOfAny(['.', '@', ':']) >= 0 || item == "localhost")
        {
            return [new Target(item, defaults.Apply(ParseHost(item)))];
        }

        var known = inventory.Sessions.Keys.Concat(inventory.Groups.Keys).Append(LocalName).Order(StringComparer.Ordinal);
        throw new UsageException(
            $"unknown session '{item}' (known: {string.Join(", ", known)}; for a host write user@{item}, {item}:22 or a full domain name)");
    }

    private static IReadOnlySet<string> SshConfigAliases(string? path)
    {
        path ??= Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "config");
        var aliases = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return aliases;
        }

        foreach (var line in File.ReadLines(path))
        {
            var words = line.Trim().Split([' ', '\t', '='], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length > 1 && words[0].Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                aliases.UnionWith(words.Skip(1).Where(w => w.IndexOfAny(['*', '?', '!']) < 0));
            }
        }

        return aliases;
    }
}
