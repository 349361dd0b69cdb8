using Akka.Actor.Setup;
using Akka.Actor;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace RControl.Remote;

/// <summary>
/// The start-up rules of an Akka.Remote endpoint (daemon, remoting engine or client): loopback unless TLS is
/// on; with TLS, mutual authentication always on and peers checked by pinned thumbprint or by CA chain.
/// </summary>
public static class RemoteSecurity
{
    private const string Tcp = "akka.remote.dot-netty.tcp";
    private const string Tls = "rcontrol.remote.tls";

    /// <summary>
    /// Throws a <see cref="RemoteSecurityException"/> when the configuration binds Akka.Remote to a
    /// non-loopback address without TLS, or weakens TLS (mutual authentication off, validation suppressed).
    /// </summary>
    public static void Validate(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var hostname = config.GetString($"{Tcp}.hostname", "");
        var tls = IsTlsEnabled(config);
        if (tls)
        {
            if (!config.GetBoolean($"{Tcp}.ssl.require-mutual-authentication", true))
            {
                throw new RemoteSecurityException(
                    $"refusing to start: {Tcp}.ssl.require-mutual-authentication is off; RControl never runs TLS without mutual authentication (remove that setting)");
            }

            if (config.GetBoolean($"{Tcp}.ssl.suppress-validation", false))
            {
                throw new RemoteSecurityException(
                    $"refusing to start: {Tcp}.ssl.suppress-validation is on; peers' certificates must be checked (use {Tls}.trust = pinned with pinned-thumbprints for self-signed certificates)");
            }

            return;
        }

        if (!IsLoopback(hostname))
        {
            throw new RemoteSecurityException(
                $"refusing to bind Akka.Remote to '{(hostname.Length == 0 ? "<all addresses>" : hostname)}' without TLS: only loopback (127.0.0.1, ::1, localhost) may run unencrypted. " +
                $"Enable TLS with {Tls}.enabled = on, {Tls}.certificate-path = \"/path/to/node.pfx\", {Tls}.certificate-password = ${{?RCONTROL_TLS_PASSWORD}} " +
                $"and {Tls}.pinned-thumbprints = [\"<peer SHA-1 thumbprint>\"] (or {Tls}.trust = chain); see docs/remote.md, section TLS.");
        }
    }

    /// <summary>Whether TLS is on, through <c>rcontrol.remote.tls.enabled</c> or Akka's own <c>enable-ssl</c>.</summary>
    public static bool IsTlsEnabled(Config config) =>
        config.GetBoolean($"{Tls}.enabled", false) || config.GetBoolean($"{Tcp}.enable-ssl", false);

    /// <summary>True for 127.0.0.0/8, ::1 and <c>localhost</c>.</summary>
    public static bool IsLoopback(string hostname)
    {
        if (string.IsNullOrWhiteSpace(hostname))
        {
            return false;
        }

        if (string.Equals(hostname, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(hostname.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }

    /// <summary>
    /// The setup of an actor system with Akka.Remote under these rules: checks the endpoint (<see cref="Validate"/>),
    /// puts the TLS transport settings in front, and adds the TLS setup when <c>rcontrol.remote.tls</c> is on.
    /// </summary>
    public static ActorSystemSetup CreateSystemSetup(Config config)
    {
        Validate(config);
        var full = TransportOverrides(config).WithFallback(config);
        var bootstrap = BootstrapSetup.Create().WithConfig(full);
        return CreateSslSetup(full) is { } ssl ? ActorSystemSetup.Create(bootstrap, ssl) : ActorSystemSetup.Create(bootstrap);
    }

    /// <summary>
    /// HOCON to put in front of the user's configuration: <c>enable-ssl</c> when <c>rcontrol.remote.tls</c> is on.
    /// </summary>
    public static Config TransportOverrides(Config config) =>
        config.GetBoolean($"{Tls}.enabled", false)
            ? ConfigurationFactory.ParseString($"{Tcp}.enable-ssl = on\n{Tcp}.ssl.require-mutual-authentication = on\n{Tcp}.ssl.suppress-validation = off")
            : Config.Empty;

    /// <summary>
    /// The TLS setup of <c>rcontrol.remote.tls</c> (null when it is off): this process's certificate, mutual
    /// authentication on, and the peer check (pinned thumbprints or CA chain).
    /// </summary>
    public static DotNettySslSetup? CreateSslSetup(Config config, ILoggingAdapter? log = null)
    {
        if (!config.GetBoolean($"{Tls}.enabled", false))
        {
            return null;
        }

        var path = config.GetString($"{Tls}.certificate-path", "");
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new RemoteSecurityException($"{Tls}.enabled is on but {Tls}.certificate-path is empty (a PKCS#12 file with this node's certificate and key)");
        }

        path = path.StartsWith('~') ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~', '/')) : path;
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, config.GetString($"{Tls}.certificate-password", "") ?? "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            // The message names the file, never the password.
            throw new RemoteSecurityException($"cannot load the TLS certificate '{path}': {e.Message}", e);
        }

        if (!certificate.HasPrivateKey)
        {
            throw new RemoteSecurityException($"the TLS certificate '{path}' has no private key");
        }

        var trust = config.GetString($"{Tls}.trust", "pinned");
        CertificateValidationCallback validator;
        switch (trust)
        {
            case "pinned":
                var pins = config.GetStringList($"{Tls}.pinned-thumbprints").Select(NormalizeThumbprint).ToArray();
                if (pins.Length == 0)
                {
                    throw new RemoteSecurityException(
                        $"{Tls}.trust = pinned but {Tls}.pinned-thumbprints is empty: list the SHA-1 thumbprints of the certificates this node accepts (its own: {certificate.Thumbprint})");
                }

                validator = CertificateValidation.PinnedCertificate(pins);
                break;
            case "chain":
                validator = CertificateValidation.ValidateChain(log);
                break;
            default:
                throw new RemoteSecurityException($"{Tls}.trust: unknown value '{trust}' (expected pinned or chain)");
        }

        return new DotNettySslSetup(certificate, suppressValidation: false, requireMutualAuthentication: true, validator);
    }

    private static string NormalizeThumbprint(string thumbprint) =>
        thumbprint.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
}

/// <summary>The remote endpoint's configuration is not safe to start with (e.g. a public address without TLS).</summary>
public sealed class RemoteSecurityException : ConfigurationException
{
    public RemoteSecurityException(string message)
        : base(message)
    {
    }

    public RemoteSecurityException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
