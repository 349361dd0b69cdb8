using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;

namespace RControl.Security;

/// <summary>
/// The certificates accepted at the TLS handshake, by connection: an inbound connection by the peer's socket address,
/// an outbound one by the Akka address it was opened to (what the transport reports to the validation callback). The
/// cluster's transport filter finds here whether a connection's peer is a node or a client.
/// </summary>
internal sealed class PeerCertificates
{
    private const int Bound = 4096;
    private readonly ConcurrentDictionary<string, Peer> _peers = new(StringComparer.Ordinal);

    /// <summary>Who presented a certificate on one connection.</summary>
    /// <param name="Name">The certificate's common name.</param>
    /// <param name="IsNode">True when it carries the node usage (<see cref="NodeIdentity"/>).</param>
    public sealed record Peer(string Name, bool IsNode)
    {
        internal long Seen { get; init; }
    }

    /// <summary>Records the certificate accepted from <paramref name="peer"/> (the transport's description of the connection).</summary>
    public void Record(string peer, X509Certificate2 certificate)
    {
        if (KeyOf(peer) is not { } key)
        {
            return;
        }

        if (_peers.Count >= Bound)
        {
            // Entries of connections that ended: the oldest half goes (a live connection's entry was read at its first message).
            foreach (var old in _peers.OrderBy(p => p.Value.Seen).Take(Bound / 2).ToArray())
            {
                _peers.TryRemove(old.Key, out _);
            }
        }

        _peers[key] = new Peer(certificate.GetNameInfo(X509NameType.SimpleName, false), NodeIdentity.IsNode(certificate)) { Seen = Environment.TickCount64 };
    }

    /// <summary>The peer of an inbound connection from this (socket) address, or null when none was accepted.</summary>
    public Peer? Inbound(Address remote) => Find(Endpoint(remote.Host, remote.Port));

    /// <summary>The peer of an outbound connection to this Akka address, or null when none was accepted.</summary>
    public Peer? Outbound(Address remote) => Find(OutboundKey(remote));

    /// <summary>Forgets a connection's entry (when it ends).</summary>
    public void Forget(Address remote, bool inbound) =>
        _ = (inbound ? Endpoint(remote.Host, remote.Port) : OutboundKey(remote)) is { } key && _peers.TryRemove(key, out _);

    private Peer? Find(string? key) => key is not null && _peers.TryGetValue(key, out var peer) ? peer : null;

    // The transport describes an inbound connection as "ip:port" (its socket) and an outbound one as the Akka address.
    private static string? KeyOf(string peer)
    {
        if (peer.Contains("://", StringComparison.Ordinal))
        {
            try
            {
                return OutboundKey(Address.Parse(peer));
            }
            catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
            {
                return null;
            }
        }

        return IPEndPoint.TryParse(peer, out var endpoint) ? $"in:{Normalize(endpoint.Address)}:{endpoint.Port}" : null;
    }

    private static string? Endpoint(string? host, int? port) =>
        host is not null && port is not null && IPAddress.TryParse(host.Trim('[', ']'), out var address) ? $"in:{Normalize(address)}:{port}" : null;

    private static string? OutboundKey(Address remote) =>
        remote.Host is null || remote.Port is null ? null : $"out:{remote.System}@{Host(remote.Host)}:{remote.Port}";

    private static string Host(string host) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var address) ? Normalize(address).ToString() : host.ToLowerInvariant();

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
