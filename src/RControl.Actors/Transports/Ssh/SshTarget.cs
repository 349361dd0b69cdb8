using RControl.Protocol;

namespace RControl.Transports.Ssh;

/// <summary>
/// Where and as whom to connect, once a spec has been merged with its ssh_config alias: explicit spec
/// values win over the config file, as options on the <c>ssh</c> command line do.
/// </summary>
internal sealed record SshTarget(string Alias, string Host, int Port, string User, IReadOnlyList<string> IdentityFiles, SshSessionSpec? Jump)
{
    private static readonly string[] DefaultIdentities = ["id_ed25519", "id_ecdsa", "id_rsa"];

    /// <summary>The known_hosts file to check (spec's, or <c>~/.ssh/known_hosts</c>).</summary>
    public static string KnownHostsPath(SshSessionSpec spec) =>
        SshConfig.ExpandHome(spec.KnownHostsFile ?? "~/.ssh/known_hosts");

    /// <summary>Resolves a spec through its ssh_config file.</summary>
    public static SshTarget Resolve(SshSessionSpec spec)
    {
        var config = SshConfig.Resolve(spec.SshConfigFile ?? SshConfig.DefaultPath, spec.Host);
        var host = config.HostName ?? spec.Host;
        var port = spec.Port ?? config.Port ?? 22;
        var user = spec.User ?? config.User ?? Environment.UserName;
        IReadOnlyList<string> identities = spec.IdentityFiles.Count > 0
            ? spec.IdentityFiles.Select(SshConfig.ExpandHome).ToArray()
            : config.IdentityFiles.Count > 0
                ? config.IdentityFiles
                : [];
        var jump = ResolveJump(spec, spec.ProxyJump ?? config.ProxyJump, identities);
        return new SshTarget(spec.Host, host, port, user, identities, jump);
    }

    /// <summary>The default keys (<c>~/.ssh/id_ed25519</c>, <c>id_ecdsa</c>, <c>id_rsa</c>) that exist, tried when none is given.</summary>
    public static IReadOnlyList<string> DefaultIdentityFiles() =>
        DefaultIdentities.Select(name => SshConfig.ExpandHome("~/.ssh/" + name)).Where(File.Exists).ToArray();

    /// <summary>
    /// A jump host: a session name from the inventory, or <c>[user@]host[:port]</c> (an alias is resolved through the
    /// same ssh_config). A comma list jumps through each in turn. The jump inherits the target's keys (unless its own
    /// config names some), known_hosts, policy and timeouts, never the password.
    /// </summary>
    private static SshSessionSpec? ResolveJump(SshSessionSpec spec, string? proxyJump, IReadOnlyList<string> identities)
    {
        if (string.IsNullOrWhiteSpace(proxyJump) || proxyJump.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        // "a,b": the target is reached through b, and b through a (the connector recurses).
        var hops = proxyJump.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var last = hops[^1];
        var jump = spec.JumpHosts is { } named && named.TryGetValue(last, out var session)
            ? session with { JumpHosts = session.JumpHosts ?? spec.JumpHosts }
            : ParseHop(spec, last, identities);
        return hops.Length > 1 ? jump with { ProxyJump = string.Join(',', hops[..^1]) } : jump;
    }

    private static SshSessionSpec ParseHop(SshSessionSpec spec, string hop, IReadOnlyList<string> identities)
    {
        string? user = null;
        int? port = null;
        var host = hop;
        var at = host.LastIndexOf('@');
        if (at >= 0)
        {
            user = host[..at];
            host = host[(at + 1)..];
        }

        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            if (close > 0 && close + 1 < host.Length && host[close + 1] == ':' && int.TryParse(host[(close + 2)..], out var bracketPort))
            {
                port = bracketPort;
            }

            host = host[1..Math.Max(1, close)];
        }
        else if (host.Count(c => c == ':') == 1)
        {
            var colon = host.IndexOf(':', StringComparison.Ordinal);
            if (!int.TryParse(host[(colon + 1)..], out var parsedPort))
            {
                throw new SessionException($"proxy-jump '{hop}': bad port");
            }

            port = parsedPort;
            host = host[..colon];
        }

        // The hop uses its own ssh_config keys when it has some, else the keys the target uses.
        var ownKeys = SshConfig.Resolve(spec.SshConfigFile ?? SshConfig.DefaultPath, host).IdentityFiles.Count > 0;
        return new SshSessionSpec(host)
        {
            Port = port,
            User = user,
            IdentityFiles = spec.IdentityFiles.Count > 0 || !ownKeys ? identities : [],
            Passphrase = spec.Passphrase,
            KnownHostsFile = spec.KnownHostsFile,
            HostKeyPolicy = spec.HostKeyPolicy,
            SshConfigFile = spec.SshConfigFile,
            ConnectTimeout = spec.ConnectTimeout,
            KeepAlive = spec.KeepAlive,
            KeyExchangeAlgorithms = spec.KeyExchangeAlgorithms,
            JumpHosts = spec.JumpHosts,
        };
    }
}
