using System.Security.Cryptography;
using System.Text;
using Akka.Configuration;
using RControl.Security;

namespace RControl.Host.Daemon.Metrics;

/// <summary>
/// The bearer token of the metrics endpoint, kept in a file of mode 0600 (Prometheus reads it with
/// <c>authorization: { credentials_file: … }</c>). Created with 256 random bits when missing; a file that group or
/// others may read is refused.
/// </summary>
internal sealed class MetricsToken
{
    /// <summary>The token file's name in the daemon's state directory.</summary>
    public const string DefaultFileName = "metrics-token";

    private readonly byte[] _expected;

    private MetricsToken(byte[] expected) => _expected = expected;

    /// <summary>Reads the token file, creating it (and its 0700 directory) when missing.</summary>
    public static MetricsToken LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            PrivateFile.EnsureDirectory(Path.GetDirectoryName(path)!);
            PrivateFile.Write(path, Encoding.ASCII.GetBytes(Base64Url(RandomNumberGenerator.GetBytes(32))));
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new ConfigurationException($"metrics token file '{path}' may be read or written by group or others: chmod 600 it");
        }

        var token = File.ReadAllText(path).Trim();
        return token.Length >= 16
            ? new MetricsToken(Encoding.UTF8.GetBytes(token))
            : throw new ConfigurationException($"metrics token file '{path}' holds fewer than 16 characters");
    }

    /// <summary>Whether an <c>Authorization</c> header carries this token (<c>Bearer TOKEN</c>); compared in constant time.</summary>
    public bool Admits(string? authorization)
    {
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var given = Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, _expected);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
