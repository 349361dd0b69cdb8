using System.Net;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Microsoft.Extensions.Logging;
using RControl.Security;

namespace RControl.Security;

/// <summary>
/// The start-up rules of an Akka.Remote endpoint (daemon, remoting engine or client): mutual TLS always, loopback
/// included, unless <c>rcontrol.remote.insecure-no-authentication = on</c> (loopback only, a warning at every start);
/// peers checked by CA, pinned thumbprint or the machine's chain, within their validity dates; only the engine's gate
/// reachable by path (Akka's untrusted mode).
/// </summary>
internal static class RemoteSecurity
{
    private const string Tcp = "akka.remote.dot-netty.tcp";
    private const string Tls = "rcontrol.remote.tls";

    /// <summary>The one setting that turns authentication off.</summary>
    public const string InsecureKey = "rcontrol.remote.insecure-no-authentication";

    /// <summary>The warning logged at every start of an endpoint without authentication.</summary>
    public const string InsecureWarning =
        "INSECURE: " + InsecureKey + " = on: Akka.Remote runs without TLS or authentication; every local user can run commands as this process's user";

    /// <summary>Whether the insecure setting is on.</summary>
    public static bool IsInsecure(Config config) => Holder(config, InsecureKey).GetBoolean(InsecureKey);

    /// <summary>
    /// Throws a <see cref="RemoteSecurityException"/> when the configuration would run Akka.Remote without TLS (unless the
    /// insecure setting is on, and then only on loopback) or weakens TLS (mutual authentication off, validation suppressed).
    /// </summary>
    public static void Validate(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
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

        if (!IsInsecure(config))
        {
            return;
        }

        var hostname = config.GetString($"{Tcp}.hostname", "");
        if (!IsLoopback(hostname))
        {
            throw new RemoteSecurityException(
                $"refusing to bind Akka.Remote to '{(hostname.Length == 0 ? "<all addresses>" : hostname)}' with {InsecureKey} = on: only loopback (127.0.0.1, ::1, localhost) may run without authentication; see docs/remote.md, section Security.");
        }
    }

    /// <summary>Whether <c>rcontrol.remote.tls</c> configures this node's certificate.</summary>
    public static bool IsTlsEnabled(Config config) => Holder(config, $"{Tls}.enabled").GetBoolean($"{Tls}.enabled");

    /// <summary>The config that sets <paramref name="key"/>: the given one, else the reference HOCON (the only place of the defaults).</summary>
    private static Config Holder(Config config, string key) => config.HasPath(key) ? config : Configuration.RControlConfig.ReferenceConfig;

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
    /// puts the transport overrides in front, and adds the TLS setup and the <see cref="EndpointSecurity"/>.
    /// </summary>
    /// <param name="security">The endpoint's security; null reads it from <c>rcontrol.remote.tls</c> (or the insecure setting).</param>
    public static ActorSystemSetup CreateSystemSetup(Config config, EndpointSecurity? security = null)
    {
        Validate(config);
        security ??= FromConfig(config);
        var full = TransportOverrides(security).WithFallback(config);
        var bootstrap = BootstrapSetup.Create().WithConfig(full);
        return security.Ssl is { } ssl ? ActorSystemSetup.Create(bootstrap, ssl, security) : ActorSystemSetup.Create(bootstrap, security);
    }

    /// <summary>
    /// HOCON to put in front of the user's configuration: TLS on (unless insecure); Akka's untrusted mode with the gate
    /// (<c>/user/rcontrol</c>) and death watch heartbeats the only paths reachable by selection; no address reuse, so a
    /// second engine on a port in use fails to start.
    /// </summary>
    public static Config TransportOverrides(EndpointSecurity security) =>
        ConfigurationFactory.ParseString($"""
            {Tcp}.enable-ssl = {(security.Insecure ? "off" : "on")}
            {Tcp}.ssl.require-mutual-authentication = on
            {Tcp}.ssl.suppress-validation = off
            {Tcp}.tcp-reuse-addr = off
            akka.remote.untrusted-mode = on
            akka.remote.trusted-selection-paths = ["/user/{Hosting.RControlEngine.ActorName}", "/system/remote-watcher"]
            """);

    /// <summary>
    /// The endpoint security of <c>rcontrol.remote.tls</c> (or the insecure setting). Throws a <see cref="RemoteSecurityException"/>
    /// when neither is set: Akka.Remote never runs without authentication by accident.
    /// </summary>
    public static EndpointSecurity FromConfig(Config config)
    {
        if (!IsTlsEnabled(config))
        {
            if (IsInsecure(config))
            {
                return EndpointSecurity.InsecureNoAuthentication;
            }

            throw new RemoteSecurityException(
                $"refusing to start Akka.Remote without authentication: set {Tls} (enabled = on, certificate-path, trust) — see docs/remote.md, section Security — " +
                $"or, for a throw-away test on loopback only, {InsecureKey} = on");
        }

        string? Setting(string key) => Holder(config, $"{Tls}.{key}").GetString($"{Tls}.{key}");
        var path = CredentialLocator.Expand(Setting("certificate-path") ?? "");
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new RemoteSecurityException($"{Tls}.enabled is on but {Tls}.certificate-path is empty (a PKCS#12 file with this node's certificate and key)");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, Setting("certificate-password") ?? "");
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

        var trust = Setting("trust");
        switch (trust)
        {
            case "pinned":
                var pins = Holder(config, $"{Tls}.pinned-thumbprints").GetStringList($"{Tls}.pinned-thumbprints");
                if (pins.Count == 0)
                {
                    throw new RemoteSecurityException(
                        $"{Tls}.trust = pinned but {Tls}.pinned-thumbprints is empty: list the SHA-1 thumbprints of the certificates this node accepts (its own: {certificate.Thumbprint})");
                }

                return EndpointSecurity.Create(certificate, PeerTrust.Pinned(pins.ToArray()));
            case "chain":
                return EndpointSecurity.Create(certificate, PeerTrust.MachineChain());
            case "ca":
                var caPath = CredentialLocator.Expand(Setting("ca-certificate-path") ?? "");
                try
                {
                    return EndpointSecurity.Create(certificate, PeerTrust.IssuedBy(X509CertificateLoader.LoadCertificateFromFile(caPath)));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
                {
                    throw new RemoteSecurityException($"{Tls}.trust = ca: cannot load {Tls}.ca-certificate-path '{caPath}': {e.Message}", e);
                }

            default:
                throw new RemoteSecurityException($"{Tls}.trust: unknown value '{trust}' (expected pinned, chain or ca)");
        }
    }

    /// <summary>
    /// A client's endpoint security: <c>rcontrol.remote.tls</c> when set; else the credential (<c>rcontrol.remote.credential</c>,
    /// <c>RCONTROL_CREDENTIAL</c>, or the per-user file for the daemon at host:port); else the insecure setting.
    /// </summary>
    public static EndpointSecurity ForClient(Config config, string? host, int? port)
    {
        if (IsTlsEnabled(config) || IsInsecure(config))
        {
            return FromConfig(config);
        }

        var path = CredentialLocator.Find(Holder(config, "rcontrol.remote.credential").GetString("rcontrol.remote.credential") ?? "", host, port)
            ?? throw new RemoteSecurityException(
                $"no RControl credential found (looked at {CredentialLocator.Describe(host, port)}): the daemon's own user finds the one the daemon wrote; " +
                "others need one minted with 'rcontrol daemon credentials issue NAME --config daemon.conf'");
        var credential = ClientCredential.Load(path, CredentialLocator.Password);
        if (PeerTrust.Dates(credential.Certificate) is { } dates)
        {
            throw new RemoteSecurityException($"the credential '{path}' cannot be used: {dates}");
        }

        return EndpointSecurity.ForClient(credential);
    }

    /// <summary>Logs the insecure warning when the endpoint runs without authentication (call at every start).</summary>
    public static void WarnIfInsecure(EndpointSecurity security, ILogger logger)
    {
        if (security.Insecure)
        {
            logger.LogWarning(InsecureWarning);
        }
    }
}

/// <summary>The remote endpoint's configuration is not safe to start with (e.g. Akka.Remote without authentication).</summary>
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
