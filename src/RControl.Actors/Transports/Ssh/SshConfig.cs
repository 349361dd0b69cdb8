namespace RControl.Transports.Ssh;

/// <summary>The settings an <c>ssh_config</c> file gives one host (each null when not set).</summary>
internal sealed record SshConfigHost(string? HostName, string? User, int? Port, IReadOnlyList<string> IdentityFiles, string? ProxyJump);

/// <summary>
/// A small reader of OpenSSH client configuration (<c>~/.ssh/config</c>): <c>Host</c> blocks with patterns
/// (wildcards, negation), first value wins as in OpenSSH, keys <c>HostName</c>, <c>User</c>, <c>Port</c>,
/// <c>IdentityFile</c> (several accumulate), <c>ProxyJump</c>, and <c>Include</c>. <c>Match</c> blocks are skipped.
/// </summary>
internal static class SshConfig
{
    /// <summary>The default config file, <c>~/.ssh/config</c>.</summary>
    public static string DefaultPath => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "config");

    /// <summary>Resolves an alias through a config file; a missing file gives no settings.</summary>
    public static SshConfigHost Resolve(string path, string alias)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var identities = new List<string>();
        Read(ExpandHome(path), alias, values, identities, depth: 0);
        int? port = values.TryGetValue("port", out var p) && int.TryParse(p, out var parsed) ? parsed : null;
        var hostName = values.GetValueOrDefault("hostname")?.Replace("%h", alias, StringComparison.Ordinal);
        var user = values.GetValueOrDefault("user");
        var expanded = identities
            .Select(i => ExpandHome(i.Replace("%h", hostName ?? alias, StringComparison.Ordinal).Replace("%r", user ?? Environment.UserName, StringComparison.Ordinal)
                .Replace("%u", Environment.UserName, StringComparison.Ordinal).Replace("%d", Home, StringComparison.Ordinal)))
            .ToArray();
        var jump = values.GetValueOrDefault("proxyjump");
        return new SshConfigHost(hostName, user, port, expanded, jump is null || jump.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : jump);
    }

    private static string Home => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>Expands a leading <c>~</c> to the home directory.</summary>
    public static string ExpandHome(string path) =>
        path == "~" ? Home : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Home, path[2..]) : path;

    private static void Read(string path, string alias, Dictionary<string, string> values, List<string> identities, int depth)
    {
        if (depth > 8 || !File.Exists(path))
        {
            return;
        }

        var active = true;
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var (key, value) = Split(line);
            if (key.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                active = HostMatches(value, alias);
                continue;
            }

            if (key.Equals("match", StringComparison.OrdinalIgnoreCase))
            {
                active = value.Trim().Equals("all", StringComparison.OrdinalIgnoreCase);
                continue;
            }

            if (!active)
            {
                continue;
            }

            if (key.Equals("include", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var include in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var full = ExpandHome(include);
                    if (!Path.IsPathRooted(full))
                    {
                        full = Path.Combine(Path.GetDirectoryName(path) ?? ".", full);
                    }

                    Read(full, alias, values, identities, depth + 1);
                }

                continue;
            }

            if (key.Equals("identityfile", StringComparison.OrdinalIgnoreCase))
            {
                identities.Add(value);
            }
            else
            {
                values.TryAdd(key.ToLowerInvariant(), value);
            }
        }
    }

    private static (string Key, string Value) Split(string line)
    {
        var index = line.IndexOfAny([' ', '\t', '=']);
        if (index < 0)
        {
            return (line, string.Empty);
        }

        var key = line[..index];
        var value = line[index..].TrimStart(' ', '\t', '=').Trim();
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = value[1..^1];
        }

        return (key, value);
    }

    private static bool HostMatches(string patterns, string alias)
    {
        var matched = false;
        foreach (var pattern in patterns.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            var negated = pattern.StartsWith('!');
            if (Wildcard.IsMatch(negated ? pattern[1..] : pattern, alias, ignoreCase: true))
            {
                if (negated)
                {
                    return false;
                }

                matched = true;
            }
        }

        return matched;
    }
}
