using System.Text.RegularExpressions;
using RControl.Remote;
using RControl.Security;

namespace RControl.Host.Daemon;

/// <summary>
/// The daemon's state directory (mode 0700): its own CA (<c>ca.pfx</c>), its server certificate (<c>server.pfx</c>, a
/// node certificate: cluster nodes accept cluster traffic only from those), the bootstrap admin credential
/// (<c>admin.pfx</c>), and the grants of credentials minted later (<c>clients.conf</c>). Created on first start; the
/// admin credential is also copied where the CLI of the daemon's user finds it. A node state issued for another
/// machine (<see cref="IssueNode"/>) has no <c>ca.pfx</c>: the CA's certificate only (<c>ca.crt</c>), so it cannot
/// mint credentials.
/// </summary>
internal sealed partial class DaemonState
{
    /// <summary>The bootstrap identity: admin on every session.</summary>
    public const string AdminName = "admin";

    /// <summary>The daemon's own certificate name (never issued to a client).</summary>
    public const string ServerName = "rcontrol-daemon";

    private DaemonState(string directory, CertificateAuthority? authority, ClientCredential server)
    {
        Directory = directory;
        Authority = authority;
        Server = server;
    }

    public string Directory { get; }

    /// <summary>The CA with its key; null in a node state issued for another machine.</summary>
    public CertificateAuthority? Authority { get; }

    public ClientCredential Server { get; }

    public string AdminCredentialPath => Path.Combine(Directory, "admin.pfx");

    public string ClientsFile => Path.Combine(Directory, "clients.conf");

    /// <summary>The CA's certificate alone (no key), in a node state issued for another machine.</summary>
    public const string CaCertificateFile = "ca.crt";

    /// <summary>The configured state directory, or <c>$XDG_STATE_HOME/rcontrol</c> / <c>~/.local/state/rcontrol</c>.</summary>
    public static string DirectoryOf(Akka.Configuration.Config config)
    {
        var configured = config.GetString("rcontrol.daemon.state-dir") ?? "";
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(CredentialLocator.Expand(configured));
        }

        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrWhiteSpace(state))
        {
            state = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        }

        return Path.Combine(state, "rcontrol");
    }

    /// <summary>
    /// Loads the state, creating the CA, server certificate and admin credential on first use (not in a node state issued
    /// for another machine); a server certificate of an older version, without the node usage, is issued again.
    /// </summary>
    public static DaemonState LoadOrCreate(string directory)
    {
        PrivateFile.EnsureDirectory(directory);
        using var stateLock = StateLock.Acquire(directory);
        var caPath = Path.Combine(directory, "ca.pfx");
        var serverPath = Path.Combine(directory, "server.pfx");
        var issuedNode = !File.Exists(caPath) && File.Exists(serverPath) && File.Exists(Path.Combine(directory, CaCertificateFile));
        if (!File.Exists(caPath) && !issuedNode)
        {
            using var created = CertificateAuthority.Create();
            created.Save(caPath);
            using var server = new ClientCredential(created.Issue(ServerName, notAfter: DateTimeOffset.UtcNow.AddYears(10), node: true), created.Certificate, null);
            server.Save(serverPath);
            using var admin = new ClientCredential(created.Issue(AdminName, notAfter: DateTimeOffset.UtcNow.AddYears(10)), created.Certificate, server.Certificate);
            admin.Save(Path.Combine(directory, "admin.pfx"));
        }

        try
        {
            var authority = issuedNode ? null : CertificateAuthority.Load(caPath);
            var loaded = ClientCredential.Load(serverPath);
            if (authority is not null && !NodeIdentity.IsNode(loaded.Certificate))
            {
                // Written by a version without node certificates: the same name, now with the node usage (clients accept it).
                loaded.Dispose();
                using var upgraded = new ClientCredential(authority.Issue(ServerName, notAfter: DateTimeOffset.UtcNow.AddYears(10), node: true), authority.Certificate, null);
                upgraded.Save(serverPath);
                loaded = ClientCredential.Load(serverPath);
            }

            return new DaemonState(directory, authority, loaded);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new RemoteSecurityException($"cannot read the daemon's state in '{directory}': {e.Message}", e);
        }
    }

    /// <summary>Copies the admin credential to the per-user file of this address (and <c>default.pfx</c> when there is none yet).</summary>
    /// <returns>The per-user file.</returns>
    public string PublishAdminCredential(string host, int port)
    {
        var target = CredentialLocator.UserFileFor(host, port);
        var bytes = File.ReadAllBytes(AdminCredentialPath);
        PrivateFile.EnsureDirectory(Path.GetDirectoryName(target)!);
        if (!File.Exists(target) || !File.ReadAllBytes(target).AsSpan().SequenceEqual(bytes))
        {
            PrivateFile.Write(target, bytes);
        }

        var fallback = Path.Combine(CredentialLocator.UserDirectory, "default.pfx");
        if (!File.Exists(fallback))
        {
            PrivateFile.Write(fallback, bytes);
        }

        return target;
    }

    /// <summary>
    /// Mints a client credential (PKCS#12: its certificate and key, the CA, the daemon's server certificate) and records its
    /// grants in <c>clients.conf</c>.
    /// </summary>
    public void Issue(string name, IReadOnlyList<string> sessions, IReadOnlyList<string> operations, string output, TimeSpan validity, string? password)
    {
        if (!ValidName().IsMatch(name) || name is AdminName or ServerName)
        {
            throw new Akka.Configuration.ConfigurationException(
                $"credential name '{name}': use letters, digits, '.', '_' or '-' (and not '{AdminName}' or '{ServerName}')");
        }

        if (IsRevoked(name))
        {
            throw new Akka.Configuration.ConfigurationException($"credential name '{name}' was revoked: choose another name");
        }

        foreach (var op in operations)
        {
            _ = Operations.Parse(op) ?? throw new Akka.Configuration.ConfigurationException($"--ops: unknown operation '{op}' (expected {Operations.Known})");
        }

        var authority = RequireAuthority();
        using var credential = new ClientCredential(authority.Issue(name, notAfter: DateTimeOffset.UtcNow + validity), authority.Certificate, Server.Certificate);
        credential.Save(output, password);
        var quoted = (IEnumerable<string> items) => string.Join(", ", items.Select(i => $"\"{i}\""));
        File.AppendAllText(ClientsFile, $"rcontrol.clients.\"{name}\" {{ sessions = [{quoted(sessions)}], operations = [{quoted(operations)}] }}\n");
    }

    /// <summary>
    /// Writes the state directory of a node for another machine: its node certificate (<c>server.pfx</c>, named
    /// <paramref name="name"/>), an admin credential for that machine's user (<c>admin.pfx</c>) and the CA's certificate
    /// without its key (<c>ca.crt</c>). A daemon whose <c>rcontrol.daemon.state-dir</c> names it joins this cluster.
    /// </summary>
    public void IssueNode(string name, string outputDirectory, TimeSpan validity)
    {
        if (!ValidName().IsMatch(name) || name is AdminName)
        {
            throw new Akka.Configuration.ConfigurationException($"node name '{name}': use letters, digits, '.', '_' or '-' (and not '{AdminName}')");
        }

        if (File.Exists(Path.Combine(outputDirectory, "server.pfx")) || File.Exists(Path.Combine(outputDirectory, "ca.pfx")))
        {
            throw new Akka.Configuration.ConfigurationException($"--out '{outputDirectory}' already holds a daemon's state; give an empty or new directory");
        }

        var authority = RequireAuthority();
        PrivateFile.EnsureDirectory(outputDirectory);
        var notAfter = DateTimeOffset.UtcNow + validity;
        using var server = new ClientCredential(authority.Issue(name, notAfter: notAfter, node: true), authority.Certificate, null);
        server.Save(Path.Combine(outputDirectory, "server.pfx"));
        using var admin = new ClientCredential(authority.Issue(AdminName, notAfter: notAfter), authority.Certificate, server.Certificate);
        admin.Save(Path.Combine(outputDirectory, "admin.pfx"));
        PrivateFile.Write(Path.Combine(outputDirectory, CaCertificateFile), authority.Certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Cert));
    }

    private CertificateAuthority RequireAuthority() => Authority
        ?? throw new Akka.Configuration.ConfigurationException(
            $"the state directory '{Directory}' is a node's issued for another machine and holds no CA key: issue credentials on the daemon whose state directory holds ca.pfx");

    /// <summary>
    /// Revokes every credential issued under <paramref name="name"/> (the bootstrap <c>admin</c> included): recorded in
    /// <c>clients.conf</c>, where a running daemon reads it within a second and logs that identity out.
    /// </summary>
    public void Revoke(string name)
    {
        var minted = ClientsConfig();
        if (name != AdminName && !Minted(minted).Contains(name))
        {
            throw new Akka.Configuration.ConfigurationException($"no credential '{name}' was issued by this daemon (see {ClientsFile})");
        }

        if (!IsRevoked(minted, name))
        {
            File.AppendAllText(ClientsFile, $"rcontrol.clients.\"{name}\".revoked = true\n");
        }
    }

    /// <summary>The names of the credentials minted so far, each with whether it is revoked.</summary>
    public IReadOnlyList<(string Name, bool Revoked)> List()
    {
        var minted = ClientsConfig();
        return [.. Minted(minted).Prepend(AdminName).Distinct(StringComparer.Ordinal).Select(n => (n, IsRevoked(minted, n)))];
    }

    private bool IsRevoked(string name) => IsRevoked(ClientsConfig(), name);

    private static IReadOnlyList<string> Minted(Akka.Configuration.Config? minted) => minted is not null && minted.HasPath("rcontrol.clients")
        ? [.. RControl.Configuration.Inventory.ChildKeys(minted.GetConfig("rcontrol"), "clients")]
        : [];

    private static bool IsRevoked(Akka.Configuration.Config? minted, string name) =>
        minted is not null && minted.HasPath($"rcontrol.clients.\"{name}\".revoked") && minted.GetBoolean($"rcontrol.clients.\"{name}\".revoked");

    private Akka.Configuration.Config? ClientsConfig() =>
        File.Exists(ClientsFile) ? RControl.Configuration.RControlConfig.ParseUser(File.ReadAllText(ClientsFile), ClientsFile) : null;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex ValidName();
}
