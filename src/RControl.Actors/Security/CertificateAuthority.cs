using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RControl.Security;

/// <summary>
/// A small certificate authority (ECDSA P-256): the daemon's own CA, which issues its server certificate and every
/// client credential. Only certificates it issued, within their validity dates, are accepted by the daemon.
/// </summary>
internal sealed class CertificateAuthority : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private CertificateAuthority(X509Certificate2 certificate)
    {
        Certificate = certificate;
    }

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Creates a new CA valid from <paramref name="notBefore"/> (five minutes ago by default) for <paramref name="validity"/> (ten years by default).</summary>
    public static CertificateAuthority Create(string name = "rcontrol-ca", TimeSpan? validity = null, DateTimeOffset? notBefore = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(notBefore ?? now.AddMinutes(-5), now + (validity ?? TimeSpan.FromDays(3650)));
        return new CertificateAuthority(Reload(certificate));
    }

    /// <summary>Loads a CA written by <see cref="Save"/>.</summary>
    public static CertificateAuthority Load(string path) =>
        new(X509CertificateLoader.LoadPkcs12FromFile(path, null, X509KeyStorageFlags.Exportable));

    /// <summary>Writes the CA (certificate and key) as a PKCS#12 file readable by its owner only.</summary>
    public void Save(string path) => PrivateFile.Write(path, Certificate.Export(X509ContentType.Pfx));

    /// <summary>
    /// Issues a certificate for <paramref name="name"/> (subject <c>CN=name</c>) usable for both TLS roles, with its private key.
    /// </summary>
    /// <param name="notBefore">Start of validity (default: five minutes ago).</param>
    /// <param name="notAfter">End of validity (default: one year from now).</param>
    /// <param name="node">True for a cluster node's certificate: it also carries <see cref="NodeIdentity.Usage"/>.</param>
    public X509Certificate2 Issue(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, bool node = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={name}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        var usages = new OidCollection { ServerAuth, ClientAuth };
        if (node)
        {
            usages.Add(NodeIdentity.Usage);
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        var start = notBefore ?? now.AddMinutes(-5);
        var end = notAfter ?? now.AddDays(365);
        // A certificate lies within its issuer's validity.
        end = end > Certificate.NotAfter ? new DateTimeOffset(Certificate.NotAfter.ToUniversalTime()) : end;
        start = start < Certificate.NotBefore ? new DateTimeOffset(Certificate.NotBefore.ToUniversalTime()) : start;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(Certificate, start, end, serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return Reload(withKey);
    }

    /// <inheritdoc />
    public void Dispose() => Certificate.Dispose();

    // An ephemeral key in a fresh certificate object is not usable by SslStream on every platform: round-trip through PKCS#12.
    private static X509Certificate2 Reload(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null, X509KeyStorageFlags.Exportable);
}
