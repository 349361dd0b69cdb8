using System.Security.Cryptography;
using System.Text;

namespace RControl.Transports.Ssh;

/// <summary>What a known_hosts file says about a host's key.</summary>
internal enum HostKeyMatch
{
    /// <summary>The host is not listed (or not with this key type, and with no other type either).</summary>
    Unknown,

    /// <summary>The key is listed for the host.</summary>
    Known,

    /// <summary>The host is listed with other keys: the key has changed (or was swapped for another type).</summary>
    Changed,

    /// <summary>The key is marked <c>@revoked</c>.</summary>
    Revoked,
}

/// <summary>
/// Reads an OpenSSH known_hosts file: plain and hashed (<c>|1|salt|hash</c>) host fields, comma lists,
/// <c>[host]:port</c>, wildcards and negation, several key types per host, <c>@revoked</c> markers
/// (<c>@cert-authority</c> lines are ignored). Appends new entries for accept-new.
/// </summary>
internal sealed class KnownHosts
{
    private static readonly object AppendGate = new();
    private readonly List<Entry> _entries;

    private KnownHosts(List<Entry> entries) => _entries = entries;

    private sealed record Entry(string? Marker, string[] Patterns, string KeyType, byte[] Key);

    /// <summary>Reads a file; a missing file is an empty list.</summary>
    public static KnownHosts Load(string path)
    {
        var entries = new List<Entry>();
        if (!File.Exists(path))
        {
            return new KnownHosts(entries);
        }

        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            string? marker = null;
            if (fields[0].StartsWith('@'))
            {
                marker = fields[0];
                fields = fields[1..];
            }

            if (fields.Length < 3)
            {
                continue;
            }

            byte[] key;
            try
            {
                key = Convert.FromBase64String(fields[2]);
            }
            catch (FormatException)
            {
                continue;
            }

            entries.Add(new Entry(marker, fields[0].Split(','), fields[1], key));
        }

        return new KnownHosts(entries);
    }

    /// <summary>The name a host has in known_hosts: <c>host</c> on port 22, else <c>[host]:port</c>.</summary>
    public static string HostName(string host, int port) => port == 22 ? host : $"[{host}]:{port}";

    /// <summary>The key types listed (not revoked) for a host, in file order.</summary>
    public IReadOnlyList<string> KeyTypesFor(string host, int port)
    {
        var name = HostName(host, port);
        return _entries.Where(e => e.Marker is null && Matches(e.Patterns, name)).Select(e => e.KeyType).Distinct().ToArray();
    }

    /// <summary>Checks a host key (the SSH key blob) for a host.</summary>
    public HostKeyMatch Check(string host, int port, byte[] keyBlob)
    {
        var name = HostName(host, port);
        var listed = false;
        foreach (var entry in _entries)
        {
            if (entry.Marker == "@revoked" && entry.Key.AsSpan().SequenceEqual(keyBlob))
            {
                return HostKeyMatch.Revoked;
            }
        }

        foreach (var entry in _entries.Where(e => e.Marker is null && Matches(e.Patterns, name)))
        {
            if (entry.Key.AsSpan().SequenceEqual(keyBlob))
            {
                return HostKeyMatch.Known;
            }

            listed = true;
        }

        return listed ? HostKeyMatch.Changed : HostKeyMatch.Unknown;
    }

    /// <summary>Appends a plain entry for the host (accept-new), creating the file and its folder when missing.</summary>
    public static void Append(string path, string host, int port, byte[] keyBlob)
    {
        lock (AppendGate)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            var needsNewline = File.Exists(path) && new FileInfo(path).Length > 0 && !File.ReadAllText(path).EndsWith('\n');
            var line = $"{HostName(host, port)} {KeyTypeOf(keyBlob)} {Convert.ToBase64String(keyBlob)}\n";
            using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            var bytes = Encoding.ASCII.GetBytes((needsNewline ? "\n" : string.Empty) + line);
            stream.Write(bytes);
        }
    }

    /// <summary>The key type named inside an SSH public key blob (e.g. <c>ssh-ed25519</c>).</summary>
    public static string KeyTypeOf(byte[] blob)
    {
        if (blob.Length < 4)
        {
            return "unknown";
        }

        var length = (blob[0] << 24) | (blob[1] << 16) | (blob[2] << 8) | blob[3];
        return length > 0 && length <= blob.Length - 4 ? Encoding.ASCII.GetString(blob, 4, length) : "unknown";
    }

    /// <summary>OpenSSH's fingerprint of a key blob: <c>SHA256:</c> and unpadded base64.</summary>
    public static string Fingerprint(byte[] blob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');

    private static bool Matches(string[] patterns, string name)
    {
        var matched = false;
        foreach (var pattern in patterns)
        {
            if (pattern.StartsWith("|1|", StringComparison.Ordinal))
            {
                matched |= HashedMatches(pattern, name);
                continue;
            }

            var negated = pattern.StartsWith('!');
            var body = negated ? pattern[1..] : pattern;
            if (Wildcard.IsMatch(body, name, ignoreCase: true))
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

    private static bool HashedMatches(string field, string name)
    {
        var parts = field.Split('|');
        if (parts.Length != 4)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var hash = Convert.FromBase64String(parts[3]);
            return HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name)).AsSpan().SequenceEqual(hash);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>OpenSSH-style patterns: <c>*</c> matches any run, <c>?</c> one character.</summary>
internal static class Wildcard
{
    public static bool IsMatch(string pattern, string text, bool ignoreCase)
    {
        if (ignoreCase)
        {
            pattern = pattern.ToLowerInvariant();
            text = text.ToLowerInvariant();
        }

        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
