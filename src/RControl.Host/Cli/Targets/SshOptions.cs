using System.Globalization;
using RControl.Configuration;
using RControl.Protocol;

namespace RControl.Host.Cli.Targets;

/// <summary>
/// <c>-o Key=Value</c> (or <c>-o "Key Value"</c>), the ssh_config options the engine understands, as <c>ssh -o</c>:
/// they win over the inventory, <c>~/.ssh/config</c> and the other options. Any other key is refused.
/// </summary>
public sealed record SshOptions
{
    /// <summary>No option given.</summary>
    public static SshOptions None { get; } = new();

    /// <summary>The keys understood, as ssh_config spells them.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["Port", "User", "IdentityFile", "UserKnownHostsFile", "StrictHostKeyChecking", "ProxyJump", "ConnectTimeout", "ServerAliveInterval", "KexAlgorithms"];

    private readonly List<Func<SshSessionSpec, SshSessionSpec>> _changes = [];

    /// <summary>Whether any option was given.</summary>
    public bool IsEmpty => _changes.Count == 0;

    /// <summary>Parses the options in order (a later one wins); throws <see cref="UsageException"/> naming the bad one.</summary>
    public static SshOptions Parse(IEnumerable<string> options)
    {
        var result = new SshOptions();
        var identities = new List<string>();
        foreach (var option in options)
        {
            var separator = option.IndexOfAny(['=', ' ', '\t']);
            if (separator <= 0)
            {
                throw new UsageException($"-o '{option}': expected Key=Value, an ssh_config option ({string.Join(", ", Keys)})");
            }

            var name = option[..separator].Trim();
            var value = option[(separator + 1)..].Trim();
            var key = Keys.FirstOrDefault(k => k.Equals(name, StringComparison.OrdinalIgnoreCase))
                ?? throw new UsageException(
                    $"-o {name}: not an ssh option rcontrol understands{KeySuggestion.Hint(name, Keys)} (it understands {string.Join(", ", Keys)})");
            if (value.Length == 0)
            {
                throw new UsageException($"-o {key}: no value");
            }

            result._changes.Add(key switch
            {
                "Port" => WithPort(value),
                "User" => s => s with { User = value },
                "IdentityFile" => Identity(identities, value),
                "UserKnownHostsFile" => s => s with { KnownHostsFile = value },
                "StrictHostKeyChecking" => WithPolicy(value),
                "ProxyJump" => s => s with { ProxyJump = value },
                "ConnectTimeout" => WithSeconds(key, value, (s, t) => s with { ConnectTimeout = t, ConnectBudget = t }),
                "ServerAliveInterval" => WithSeconds(key, value, (s, t) => s with { KeepAlive = t }),
                "KexAlgorithms" => s => s with { KeyExchangeAlgorithms = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                _ => throw new InvalidOperationException(key),
            });
        }

        return result;
    }

    /// <summary>The spec with every option applied.</summary>
    public SshSessionSpec Apply(SshSessionSpec spec) => _changes.Aggregate(spec, (s, change) => change(s));

    private static Func<SshSessionSpec, SshSessionSpec> WithPort(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? s => s with { Port = port }
            : throw new UsageException($"-o Port: '{value}' is not a port from 1 to 65535");

    private static Func<SshSessionSpec, SshSessionSpec> Identity(List<string> identities, string value)
    {
        // Repeated IdentityFile options add up, as in ssh.
        identities.Add(value);
        var files = identities.ToArray();
        return s => s with { IdentityFiles = files };
    }

    private static Func<SshSessionSpec, SshSessionSpec> WithPolicy(string value)
    {
        HostKeyPolicy policy = value.ToLowerInvariant() switch
        {
            "yes" or "ask" => HostKeyPolicy.Strict,
            "accept-new" => HostKeyPolicy.AcceptNew,
            "no" or "off" => HostKeyPolicy.InsecureAcceptAny,
            _ => throw new UsageException($"-o StrictHostKeyChecking: '{value}' is not yes, accept-new or no"),
        };
        return s => s with { HostKeyPolicy = policy };
    }

    private static Func<SshSessionSpec, SshSessionSpec> WithSeconds(string key, string value, Func<SshSessionSpec, TimeSpan, SshSessionSpec> set) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 86_400
            ? s => set(s, TimeSpan.FromSeconds(seconds))
            : throw new UsageException($"-o {key}: '{value}' is not a whole number of seconds from 1 to 86400");
}
