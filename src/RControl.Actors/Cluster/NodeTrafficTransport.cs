using Akka.Actor;
using Akka.Event;
using Akka.Remote.Transport;
using Google.Protobuf;
using RControl.Security;

namespace RControl.Cluster;

/// <summary>
/// The transport adapter of a cluster node (<c>akka.remote.dot-netty.tcp.applied-adapters</c>): on every connection whose
/// peer presented a client certificate (no node usage, see <see cref="NodeIdentity"/>), only what
/// <see cref="ClientTraffic"/> allows reaches the actors; a frame for the cluster's internals (joining, gossip,
/// sharding) drops the connection and is logged. Peers with a node certificate pass untouched. Addresses keep their
/// scheme (<c>akka.ssl.tcp</c>).
/// </summary>
// Internal: Akka.Remote creates adapter providers by type name (Activator.CreateInstance needs no public type).
internal sealed class NodeTrafficTransportProvider : ITransportAdapterProvider
{
    /// <summary>The adapter's name in <c>akka.remote.adapters</c>.</summary>
    public const string Name = "rcontrol-node-traffic";

    /// <inheritdoc />
    public Transport Create(Transport wrappedTransport, ExtendedActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(wrappedTransport);
        ArgumentNullException.ThrowIfNull(system);
        var security = system.Settings.Setup.Get<EndpointSecurity>();
        var peers = security.HasValue && !security.Value.Insecure ? security.Value.Trust?.Accepted : null;
        return peers is null ? wrappedTransport : new NodeTrafficTransport(wrappedTransport, system, peers);
    }
}

/// <summary>Wraps the TLS transport's connections in <see cref="NodeTrafficHandle"/>s.</summary>
internal sealed class NodeTrafficTransport : Transport
{
    private readonly Transport _wrapped;
    private readonly PeerCertificates _peers;
    private readonly ILoggingAdapter _log;

    public NodeTrafficTransport(Transport wrapped, ActorSystem system, PeerCertificates peers)
    {
        _wrapped = wrapped;
        _peers = peers;
        _log = Logging.GetLogger(system, "RControl.Cluster.NodeTraffic");
        System = system;
        Config = wrapped.Config;
    }

    public override string SchemeIdentifier => _wrapped.SchemeIdentifier;

    public override long MaximumPayloadBytes => _wrapped.MaximumPayloadBytes;

    public override async Task<(Address, TaskCompletionSource<IAssociationEventListener>)> Listen()
    {
        var (address, wrappedListener) = await _wrapped.Listen().ConfigureAwait(false);
        var upstream = new TaskCompletionSource<IAssociationEventListener>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = upstream.Task.ContinueWith(
            t => wrappedListener.TrySetResult(new Listener(t.Result, this)),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return (address, upstream);
    }

    public override bool IsResponsibleFor(Address remote) => _wrapped.IsResponsibleFor(remote);

    public override async Task<AssociationHandle> Associate(Address remoteAddress) =>
        new NodeTrafficHandle(await _wrapped.Associate(remoteAddress).ConfigureAwait(false), inbound: false, _peers, _log);

    public override Task<bool> Shutdown() => _wrapped.Shutdown();

    public override Task<bool> ManagementCommand(object message) => _wrapped.ManagementCommand(message);

    private sealed class Listener(IAssociationEventListener upstream, NodeTrafficTransport transport) : IAssociationEventListener
    {
        public void Notify(IAssociationEvent ev) => upstream.Notify(ev is InboundAssociation inbound
            ? new InboundAssociation(new NodeTrafficHandle(inbound.Association, inbound: true, transport._peers, transport._log))
            : ev);
    }
}

/// <summary>One connection: passes every frame of a node, and of a client only what <see cref="ClientTraffic"/> allows.</summary>
internal sealed class NodeTrafficHandle : AssociationHandle
{
    private readonly AssociationHandle _inner;
    private readonly bool _inbound;
    private readonly PeerCertificates _peers;
    private readonly ILoggingAdapter _log;
    private PeerCertificates.Peer? _peer;
    private bool _refused;

    public NodeTrafficHandle(AssociationHandle inner, bool inbound, PeerCertificates peers, ILoggingAdapter log)
        : base(inner.LocalAddress, inner.RemoteAddress)
    {
        _inner = inner;
        _inbound = inbound;
        _peers = peers;
        _log = log;
        ReadHandlerSource.Task.ContinueWith(
            t => _inner.ReadHandlerSource.TrySetResult(new Reader(t.Result, this)),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public override bool Write(ByteString payload) => _inner.Write(payload);

    [Obsolete("Use the method that states reasons to make sure disassociation reasons are logged.")]
    public override void Disassociate() => Close("the association was closed");

    private void Close(string reason)
    {
        _peers.Forget(RemoteAddress, _inbound);
        _inner.Disassociate(reason, _log);
    }

    // True when the frame may pass; else drops the connection (once) and says why.
    private bool Permits(ByteString frame)
    {
        if (_refused)
        {
            return false;
        }

        // The handshake ends before the first frame: the peer's certificate is known by now.
        _peer ??= _inbound ? _peers.Inbound(RemoteAddress) : _peers.Outbound(RemoteAddress);
        if (_peer is { IsNode: true })
        {
            return true;
        }

        if (ClientTraffic.Refusal(frame) is not { } target)
        {
            return true;
        }

        _refused = true;
        var who = _peer is null ? "a peer whose certificate is unknown" : $"'{_peer.Name}' (a client certificate)";
        _log.Warning("refused cluster traffic from {0} at {1} to {2}: only node certificates may talk to the cluster's internals; connection closed", who, RemoteAddress, target);
        Close("a client sent cluster traffic");
        return false;
    }

    private sealed class Reader(IHandleEventListener upstream, NodeTrafficHandle handle) : IHandleEventListener
    {
        public void Notify(IHandleEvent ev)
        {
            if (ev is InboundPayload payload && !handle.Permits(payload.Payload))
            {
                return;
            }

            if (ev is Disassociated)
            {
                handle._peers.Forget(handle.RemoteAddress, handle._inbound);
            }

            upstream.Notify(ev);
        }
    }
}
