using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RControl.Security;

/// <summary>
/// A credential file (PKCS#12): this node's certificate with its private key, the CA that issued it, and — for a
/// client — the daemon's server certificate, the only peer the client accepts.
/// </summary>
internal sealed class ClientCredential : IDisposable
{
    /// <summary>Creates a credential from its parts.</summary>
    public ClientCredential(X509Certificate2 certificate, X509Certificate2 authority, X509Certificate2? daemon)
    {
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("the credential's certificate needs its private key", nameof(certificate));
        }

        Certificate = certificate;
        Authority = authority;
        Daemon = daemon;
    }

    /// <summary>This node's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate that issued it.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The daemon's server certificate (in a client credential), or null.</summary>
    public X509Certificate2? Daemon { get; }

    /// <summary>The identity's name: the certificate's common name.</summary>
    public string Name => Certificate.GetNameInfo(X509NameType.SimpleName, false);

    /// <summary>Reads a credential file; a missing or unreadable file is a <see cref="RemoteSecurityException"/> naming it.</summary>
    public static ClientCredential Load(string path, string? password = null)
    {
        X509Certificate2Collection all;
        try
        {
            all = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, password, X509KeyStorageFlags.Exportable);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            // The message names the file, never the password.
            throw new RemoteSecurityException($"cannot read the credential '{path}': {e.Message}", e);
        }

        var own = all.FirstOrDefault(c => c.HasPrivateKey)
            ?? throw new RemoteSecurityException($"the credential '{path}' holds no private key");
        var authority = all.FirstOrDefault(c => !c.HasPrivateKey && IsAuthority(c))
            ?? throw new RemoteSecurityException($"the credential '{path}' holds no CA certificate");
        var daemon = all.FirstOrDefault(c => !c.HasPrivateKey && !IsAuthority(c));
        return new ClientCredential(own, authority, daemon);
    }

    /// <summary>Writes the credential (mode 0600).</summary>
    public void Save(string path, string? password = null)
    {
        var collection = new X509Certificate2Collection { Certificate, X509CertificateLoader.LoadCertificate(Authority.RawData) };
        if (Daemon is not null)
        {
            collection.Add(X509CertificateLoader.LoadCertificate(Daemon.RawData));
        }

        PrivateFile.Write(path, collection.Export(X509ContentType.Pkcs12, password)!);
    }

    /// <inheritdoc />
    public void Dispose() => Certificate.Dispose();

    internal static bool IsAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);
}
