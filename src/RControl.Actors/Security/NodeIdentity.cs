using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RControl.Security;

/// <summary>
/// What tells a node certificate (a daemon of the cluster) from a client credential of the same CA: an extended key
/// usage only the daemon puts in the certificates it issues for nodes (its own server certificate, <c>issue-node</c>).
/// A cluster node takes cluster traffic (joining, gossip, sharding) only from peers presenting one.
/// </summary>
internal static class NodeIdentity
{
    /// <summary>The node usage: an OID under 2.25 (a UUID as an integer, ITU-T X.667), needing no registration.</summary>
    public static Oid Usage { get; } = new("2.25.75982774992437431830100617012373225378", "rcontrol cluster node");

    /// <summary>True when the certificate carries the node usage (its issuer is checked by the peer trust, not here).</summary>
    public static bool IsNode(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>()
            .Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == Usage.Value));
    }
}
