using RControl.Protocol;

namespace RControl.Transports.Ssh;

/// <summary>Applies a <see cref="HostKeyPolicy"/> to the key a server offers.</summary>
internal static class HostKeyCheck
{
    /// <summary>Null when the key is trusted (appending it for accept-new); otherwise the error to report.</summary>
    public static HostKeyVerificationException? Verify(HostKeyPolicy policy, KnownHosts knownHosts, string knownHostsPath, string host, int port, byte[] keyBlob)
    {
        var type = KnownHosts.KeyTypeOf(keyBlob);
        var fingerprint = KnownHosts.Fingerprint(keyBlob);
        var name = KnownHosts.HostName(host, port);
        if (policy == HostKeyPolicy.InsecureAcceptAny)
        {
            return null;
        }

        switch (knownHosts.Check(host, port, keyBlob))
        {
            case HostKeyMatch.Known:
                return null;
            case HostKeyMatch.Unknown when policy == HostKeyPolicy.AcceptNew:
                KnownHosts.Append(knownHostsPath, host, port, keyBlob);
                return null;
            case HostKeyMatch.Unknown:
                return new HostKeyVerificationException(host, port, type, fingerprint, HostKeyProblem.Unknown, knownHostsPath,
                    $"host key of {name} is not known: {type} {fingerprint} is not in {knownHostsPath} (host-key-policy is strict; " +
                    "add the key after checking its fingerprint, e.g. with ssh-keyscan, or use accept-new)");
            case HostKeyMatch.Revoked:
                return new HostKeyVerificationException(host, port, type, fingerprint, HostKeyProblem.Revoked, knownHostsPath,
                    $"host key of {name} is REVOKED in {knownHostsPath}: {type} {fingerprint}");
            default:
                return new HostKeyVerificationException(host, port, type, fingerprint, HostKeyProblem.Changed, knownHostsPath,
                    $"HOST KEY OF {name} HAS CHANGED: the server offered {type} {fingerprint}, which does not match {knownHostsPath}; " +
                    "someone may be intercepting the connection (man-in-the-middle), or the host was reinstalled. Refusing to connect.");
        }
    }
}
