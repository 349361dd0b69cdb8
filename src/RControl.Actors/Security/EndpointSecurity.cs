using System.Security.Cryptography.X509Certificates;
using Akka.Actor.Setup;
using Akka.Remote.Transport.DotNetty;
using RControl.Security;

namespace RControl.Security;

/// <summary>
/// How one Akka.Remote endpoint (daemon, remoting engine or client) proves itself and whom it accepts: its certificate,
/// the peer trust shared by the TLS handshake and the login, and the TLS setup built from them. Added to the actor
/// system's setup, where the engine's gate finds it. <see cref="Insecure"/> only with
/// <c>rcontrol.remote.insecure-no-authentication = on</c>.
/// </summary>
internal sealed class EndpointSecurity : Setup
{
    private EndpointSecurity(X509Certificate2? certificate, PeerTrust? trust)
    {
        Certificate = certificate;
        Trust = trust;
    }

    /// <summary>No TLS, no authentication: every caller is an anonymous admin.</summary>
    public static EndpointSecurity InsecureNoAuthentication { get; } = new(null, null);

    /// <summary>This endpoint's certificate with its private key (null when insecure).</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>Which peers are accepted (null when insecure).</summary>
    public PeerTrust? Trust { get; }

    /// <summary>True without TLS and authentication.</summary>
    public bool Insecure => Certificate is null;

    /// <summary>The TLS setup (mutual authentication, peers checked by <see cref="Trust"/>), null when insecure.</summary>
    public DotNettySslSetup? Ssl => Certificate is null || Trust is null
        ? null
        : new DotNettySslSetup(Certificate, suppressValidation: false, requireMutualAuthentication: true, Trust.ToCallback());

    /// <summary>An endpoint with this certificate accepting the peers of <paramref name="trust"/>.</summary>
    public static EndpointSecurity Create(X509Certificate2 certificate, PeerTrust trust)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(trust);
        if (!certificate.HasPrivateKey)
        {
            throw new RemoteSecurityException($"the certificate {certificate.Subject} has no private key");
        }

        return new EndpointSecurity(certificate, trust);
    }

    /// <summary>
    /// A client's endpoint from its credential: its certificate, and only the daemon's server certificate and the node
    /// certificates of its CA (the daemons of its cluster) — or, if the credential holds none, any certificate of the
    /// daemon's CA — accepted as a peer.
    /// </summary>
    public static EndpointSecurity ForClient(ClientCredential credential) =>
        Create(credential.Certificate, PeerTrust.IssuedBy(credential.Authority, credential.Daemon?.Thumbprint, orNodes: true));

    /// <summary>An engine's endpoint: its certificate, and every certificate its CA issued accepted (each then logs in).</summary>
    public static EndpointSecurity ForEngine(ClientCredential server) =>
        Create(server.Certificate, PeerTrust.IssuedBy(server.Authority));
}
