using System.Text;
using Akka.Configuration;

namespace RControl.Hosting;

/// <summary>How an endpoint trusts its peers' certificates (always within their validity dates).</summary>
public enum RControlTrust
{
    /// <summary>Only the certificates whose SHA-1 thumbprints are listed in <see cref="RControlTlsOptions.PinnedThumbprints"/>.</summary>
    Pinned,

    /// <summary>Only certificates issued by the CA of <see cref="RControlTlsOptions.CaCertificatePath"/>.</summary>
    Ca,

    /// <summary>Certificates that chain to the machine's CA store.</summary>
    Chain,
}

/// <summary>
/// Typed form of <c>rcontrol.remote.tls</c> for <see cref="RControlHostingExtensions.WithRControlTls(Akka.Hosting.AkkaConfigurationBuilder, RControlTlsOptions)"/>:
/// this endpoint's certificate and how it trusts its peers (see docs/remote.md, section Security). The password is never
/// printed (<see cref="ToString"/> leaves it out); the certificate is loaded, and the trust checked, when the builder is called.
/// </summary>
/// <param name="CertificatePath">PKCS#12 (.pfx/.p12) file holding this endpoint's certificate and its private key.</param>
public sealed record RControlTlsOptions(string CertificatePath)
{
    /// <summary>The PKCS#12 file's password (null: none). Best read from the environment or a secret store.</summary>
    public string? CertificatePassword { get; init; }

    /// <summary>How peers are trusted (default <see cref="RControlTrust.Pinned"/>).</summary>
    public RControlTrust Trust { get; init; } = RControlTrust.Pinned;

    /// <summary>For <see cref="RControlTrust.Pinned"/>: the SHA-1 thumbprints of the certificates accepted.</summary>
    public IReadOnlyList<string> PinnedThumbprints { get; init; } = [];

    /// <summary>For <see cref="RControlTrust.Ca"/>: the CA certificate (PEM or DER) whose certificates are accepted.</summary>
    public string? CaCertificatePath { get; init; }

    /// <summary>The <c>rcontrol.remote.tls</c> section these options stand for.</summary>
    internal Config ToConfig()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(CertificatePath);
        var hocon = new StringBuilder()
            .AppendLine("rcontrol.remote.tls.enabled = on")
            .Append("rcontrol.remote.tls.certificate-path = ").AppendLine(HoconValue.Of(CertificatePath))
            .Append("rcontrol.remote.tls.certificate-password = ").AppendLine(HoconValue.Of(CertificatePassword ?? ""))
            .Append("rcontrol.remote.tls.trust = ").AppendLine(Trust.ToString().ToLowerInvariant())
            .Append("rcontrol.remote.tls.pinned-thumbprints = ").AppendLine(HoconValue.Of(PinnedThumbprints))
            .Append("rcontrol.remote.tls.ca-certificate-path = ").AppendLine(HoconValue.Of(CaCertificatePath ?? ""));
        return ConfigurationFactory.ParseString(hocon.ToString());
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("CertificatePath = ").Append(CertificatePath)
            .Append(", CertificatePassword = ").Append(CertificatePassword is null ? "null" : "***")
            .Append(", Trust = ").Append(Trust)
            .Append(", PinnedThumbprints = [").Append(string.Join(", ", PinnedThumbprints)).Append(']')
            .Append(", CaCertificatePath = ").Append(CaCertificatePath);
        return true;
    }
}
