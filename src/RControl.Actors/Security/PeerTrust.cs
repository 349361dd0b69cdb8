using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace RControl.Security;

/// <summary>
/// Which peer certificates an endpoint accepts: issued by a CA (that CA the only trust anchor), pinned thumbprints,
/// or the machine's CA store — always within their validity dates. Used both for the TLS handshake and for the
/// login proof, so a connection and an identity are checked by the same rule.
/// </summary>
internal sealed class PeerTrust
{
    private readonly Func<X509Certificate2, string?> _check;

    private PeerTrust(string description, Func<X509Certificate2, string?> check)
    {
        Description = description;
        _check = check;
    }

    /// <summary>What this trust accepts, for messages.</summary>
    public string Description { get; }

    /// <summary>The certificates this trust accepted at TLS handshakes, by connection (for the cluster's transport filter).</summary>
    public PeerCertificates Accepted { get; } = new();

    /// <summary>Why the last certificate was refused (for the client's error message), or null.</summary>
    public string? LastRefusal { get; private set; }

    /// <summary>
    /// Certificates issued by <paramref name="authority"/>, within their dates; optionally only one of them (by thumbprint)
    /// or, with <paramref name="orNodes"/>, that one and the node certificates of the CA (the daemons of its cluster).
    /// </summary>
    public static PeerTrust IssuedBy(X509Certificate2 authority, string? onlyThumbprint = null, bool orNodes = false) =>
        new($"certificates issued by {authority.Subject}{(onlyThumbprint is null ? "" : $" with thumbprint {onlyThumbprint}{(orNodes ? " or a node certificate" : "")}")}", certificate =>
        {
            if (onlyThumbprint is not null && !string.Equals(certificate.Thumbprint, onlyThumbprint, StringComparison.OrdinalIgnoreCase)
                && !(orNodes && NodeIdentity.IsNode(certificate)))
            {
                return $"{certificate.Subject} is not the expected certificate {onlyThumbprint}{(orNodes ? " nor a node certificate" : "")}";
            }

            if (Dates(certificate) is { } dates)
            {
                return dates;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
            chain.ChainPolicy.DisableCertificateDownloads = true; // the CA is here: never go to the network
            if (!chain.Build(certificate))
            {
                return $"{certificate.Subject} is not issued by {authority.Subject}: {string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()))}";
            }

            var root = chain.ChainElements[^1].Certificate;
            return root.RawData.AsSpan().SequenceEqual(authority.RawData) ? null : $"{certificate.Subject} is not issued by {authority.Subject}";
        });

    /// <summary>Certificates whose SHA-1 thumbprint is listed, within their dates.</summary>
    public static PeerTrust Pinned(IReadOnlyCollection<string> thumbprints)
    {
        var pins = thumbprints.Select(Normalize).ToHashSet(StringComparer.Ordinal);
        return new("pinned thumbprints", certificate =>
            !pins.Contains(certificate.Thumbprint.ToUpperInvariant()) ? $"{certificate.Subject} (thumbprint {certificate.Thumbprint}) is not pinned" : Dates(certificate));
    }

    /// <summary>Certificates chaining to the machine's CA store (dates checked by the chain).</summary>
    public static PeerTrust MachineChain() =>
        new("the machine's CA store", certificate =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return Dates(certificate) ?? (chain.Build(certificate) ? null : $"{certificate.Subject} does not chain to a trusted CA: {string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()))}");
        });

    /// <summary>Null when the certificate is accepted, else why not.</summary>
    public string? Check(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return _check(certificate);
    }

    /// <summary>The TLS handshake callback: accepts what <see cref="Check"/> accepts, logs and remembers every refusal.</summary>
    public CertificateValidationCallback ToCallback() => (certificate, _, peer, _, log) =>
    {
        if (certificate is null)
        {
            LastRefusal = "the peer sent no certificate";
            log?.Warning("TLS: refused {0}: {1}", peer, LastRefusal);
            return false;
        }

        var reason = Check(certificate);
        if (reason is null)
        {
            Accepted.Record(peer, certificate);
            return true;
        }

        LastRefusal = reason;
        log?.Warning("TLS: refused the certificate of {0}: {1}", peer, reason);
        return false;
    };

    /// <summary>Null within the validity dates, else which date is violated.</summary>
    public static string? Dates(X509Certificate2 certificate)
    {
        var now = DateTime.Now;
        if (now < certificate.NotBefore)
        {
            return $"{certificate.Subject} is not valid before {certificate.NotBefore.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)}";
        }

        return now > certificate.NotAfter
            ? $"{certificate.Subject} expired on {certificate.NotAfter.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)}"
            : null;
    }

    /// <summary>A thumbprint without colons or spaces, upper case.</summary>
    public static string Normalize(string thumbprint) =>
        thumbprint.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
}
