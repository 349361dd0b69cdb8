using Akka.Configuration;

namespace RControl.Security;

/// <summary>
/// What each client identity may do, from <c>rcontrol.clients</c>: per identity (the certificate's common name, or
/// <c>subject</c> / <c>thumbprint</c> keys), the sessions (names, group names, or <c>"*"</c>) and the operations
/// allowed there. An identity not listed may do nothing; one marked <c>revoked = true</c> may not even log in.
/// </summary>
internal sealed class ClientGrants
{
    /// <summary>Everything on every session (the insecure mode's anonymous caller).</summary>
    public static Grant Everything { get; } = new("anonymous", null, new HashSet<Operation> { Operation.Admin });

    private readonly IReadOnlyList<(string Name, string? Subject, string? Thumbprint, Grant Grant)> _entries;

    private ClientGrants(IReadOnlyList<(string, string?, string?, Grant)> entries)
    {
        _entries = entries;
    }

    /// <summary>No identity may do anything.</summary>
    public static ClientGrants None { get; } = new([]);

    /// <summary>
    /// Reads <c>clients</c> under the given <c>rcontrol</c> config; groups expand to their sessions. A bad value throws a
    /// <see cref="ConfigurationException"/> naming the client and key.
    /// </summary>
    public static ClientGrants Parse(Config rcontrol, IReadOnlyDictionary<string, IReadOnlyList<string>> groups)
    {
        if (!rcontrol.HasPath("clients"))
        {
            return None;
        }

        var entries = new List<(string, string?, string?, Grant)>();
        foreach (var name in Configuration.Inventory.ChildKeys(rcontrol, "clients"))
        {
            var c = rcontrol.GetConfig($"clients.{Quote(name)}");
            foreach (var key in c.AsEnumerable().Select(e => e.Key.Split('.')[0]).Distinct(StringComparer.Ordinal))
            {
                if (!KnownKeys.Contains(key))
                {
                    throw new ConfigurationException($"client '{name}': unknown key '{key}' (known: {string.Join(", ", KnownKeys)})");
                }
            }

            var operations = new HashSet<Operation>();
            foreach (var op in List(c, name, "operations"))
            {
                operations.Add(Operations.Parse(op) ?? throw new ConfigurationException($"client '{name}': unknown operation '{op}' in 'operations' (expected {Operations.Known})"));
            }

            HashSet<string>? sessions = new(StringComparer.Ordinal);
            foreach (var session in List(c, name, "sessions"))
            {
                if (session == "*")
                {
                    sessions = null;
                    break;
                }

                if (groups.TryGetValue(session, out var members))
                {
                    sessions.UnionWith(members);
                }
                else
                {
                    sessions.Add(session);
                }
            }

            var thumbprint = c.GetString("thumbprint", null);
            var revoked = Flag(c, name, "revoked");
            entries.Add((name, c.GetString("subject", null), thumbprint is null ? null : PeerTrust.Normalize(thumbprint), new Grant(name, sessions, operations) { Revoked = revoked }));
        }

        return new ClientGrants(entries);
    }

    /// <summary>The grant of a certificate's identity (an empty grant when it is not listed).</summary>
    public Grant For(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var name = certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false);
        foreach (var (entryName, subject, thumbprint, grant) in _entries)
        {
            var matches = thumbprint is not null ? string.Equals(thumbprint, certificate.Thumbprint, StringComparison.OrdinalIgnoreCase)
                : subject is not null ? string.Equals(subject, certificate.Subject, StringComparison.Ordinal)
                : string.Equals(entryName, name, StringComparison.Ordinal);
            if (matches)
            {
                return grant;
            }
        }

        return new Grant(name, new HashSet<string>(), new HashSet<Operation>());
    }

    private static readonly string[] KnownKeys = ["sessions", "operations", "subject", "thumbprint", "revoked"];

    private static bool Flag(Config c, string client, string key)
    {
        try
        {
            return c.HasPath(key) && c.GetBoolean(key);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ConfigurationException($"client '{client}': '{key}' must be true or false", e);
        }
    }

    private static IEnumerable<string> List(Config c, string client, string key)
    {
        if (!c.HasPath(key))
        {
            return [];
        }

        try
        {
            return c.GetStringList(key);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ConfigurationException($"client '{client}': '{key}' must be a list of strings", e);
        }
    }

    private static string Quote(string key) => key.Contains('.', StringComparison.Ordinal) ? $"\"{key}\"" : key;
}

/// <summary>What one identity may do: operations on sessions (null sessions: every session).</summary>
internal sealed record Grant(string Identity, IReadOnlySet<string>? Sessions, IReadOnlySet<Operation> Operations)
{
    /// <summary>The credential was revoked (<c>rcontrol daemon credentials revoke</c>): it may not log in.</summary>
    public bool Revoked { get; init; }

    /// <summary>Whether this grant allows at least everything <paramref name="other"/> allows (and is not revoked).</summary>
    public bool Covers(Grant other) =>
        !Revoked
        && (IsAdmin || (!other.IsAdmin && other.Operations.IsSubsetOf(Operations)
            && (Sessions is null || (other.Sessions is not null && other.Sessions.IsSubsetOf(Sessions)))));

    /// <summary>Whether the identity is admin (everything, everywhere).</summary>
    public bool IsAdmin => Operations.Contains(Operation.Admin);

    /// <summary>Whether the identity may do <paramref name="operation"/> on <paramref name="session"/>.</summary>
    public bool Allows(Operation operation, string session) =>
        IsAdmin || (Operations.Contains(operation) && (Sessions is null || Sessions.Contains(session)));

    /// <summary>Whether the identity may do anything at all on the session (see it, get it).</summary>
    public bool AllowsAny(string session) => IsAdmin || (Operations.Count > 0 && (Sessions is null || Sessions.Contains(session)));

    /// <summary>The one-line refusal: <c>client 'ci' may not exec on session 'db1'</c>.</summary>
    public string Refusal(Operation operation, string session) => $"client '{Identity}' may not {operation.Name()} on session '{session}'";
}
