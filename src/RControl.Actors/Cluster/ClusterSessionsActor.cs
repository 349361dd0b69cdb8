using Akka.Actor;
using Akka.Cluster.Sharding;
using RControl.Actors;
using RControl.Configuration;
using RControl.Protocol;

namespace RControl.Cluster;

/// <summary>
/// A cluster node's session directory, in place of the single engine's <see cref="SessionManagerActor"/> (same
/// protocol, so the gate and its clients do not change): hands out one <see cref="SessionProxyActor"/> per session
/// name, whichever node hosts the session, routes the gate's file requests to the session's node through its proxy,
/// and lists the cluster's members with their counts.
/// </summary>
internal sealed class ClusterSessionsActor : ReceiveActor
{
    private sealed record Answer(object Message, IActorRef ReplyTo);

    /// <summary>From a proxy: it handed out (or forgot) a file handle; requests on it go to that proxy.</summary>
    public sealed record FileHandle(long Handle, bool Open);

    private readonly Inventory _inventory;
    private readonly IReadOnlyDictionary<string, IActorRef> _regions; // by zone; "" = any node
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _locateTimeout;
    private readonly Dictionary<string, SessionSpec> _opened = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _proxies = new(StringComparer.Ordinal);
    private readonly Dictionary<long, IActorRef> _fileHandles = new();

    public ClusterSessionsActor(Inventory inventory, IReadOnlyDictionary<string, IActorRef> regions, TimeSpan timeout, TimeSpan locateTimeout)
    {
        _locateTimeout = locateTimeout;
        _inventory = inventory;
        _regions = regions;
        _timeout = timeout;
        Receive<ListSessions>(_ => Sender.Tell(new SessionList(Known())));
        Receive<GetSession>(get =>
        {
            if (SpecOf(get.Name) is { } spec)
            {
                Sender.Tell(new SessionFound(get.Name, Proxy(get.Name), spec));
            }
            else
            {
                Sender.Tell(new SessionNotFound(get.Name, Known()));
            }
        });
        Receive<OpenSession>(open =>
        {
            if (SpecOf(open.Name) is null)
            {
                _opened[open.Name] = open.Spec;
            }

            Sender.Tell(new SessionFound(open.Name, Proxy(open.Name), SpecOf(open.Name)!));
        });
        Receive<CloseSession>(close =>
        {
            var replyTo = Sender;
            _opened.Remove(close.Name);
            RegionOf(close.Name).Ask<object>(new ShardingEnvelope(close.Name, close), _timeout)
                .PipeTo(Self, success: a => new Answer(a, replyTo), failure: _ => new Answer(new SessionClosed(close.Name), replyTo));
        });
        Receive<Answer>(a => a.ReplyTo.Tell(a.Message));

        // The gate's file requests (it checked the grants and wrote the audit): run on the node hosting the session.
        Receive<FileProtocol.IPathRequest>(request =>
        {
            if (SpecOf(request.Session) is null)
            {
                var known = Known();
                Sender.Tell(new FileProtocol.Failed(Files.FileErrorKind.Failure, request.Operation, request.Path, new UnknownSessionException(request.Session, known).Message));
                return;
            }

            Proxy(request.Session).Forward(request);
        });
        Receive<FileProtocol.IHandleRequest>(request =>
        {
            if (_fileHandles.TryGetValue(request.Handle, out var proxy))
            {
                proxy.Forward(request);
            }
            else
            {
                Sender.Tell(new FileProtocol.Failed(Files.FileErrorKind.Failure, request.Operation, request.Path, "the file is not open (closed, idle too long, or the engine restarted)"));
            }
        });
        Receive<FileHandle>(handle =>
        {
            if (handle.Open)
            {
                _fileHandles[handle.Handle] = Sender;
            }
            else
            {
                _fileHandles.Remove(handle.Handle);
            }
        });
        Receive<ClusterNodes.ListNodes>(_ => ListNodesAsync(Context.System, _timeout).PipeTo(Sender));
    }

    public static Props Props(Inventory inventory, IReadOnlyDictionary<string, IActorRef> regions, TimeSpan timeout, TimeSpan locateTimeout) =>
        Akka.Actor.Props.Create(() => new ClusterSessionsActor(inventory, regions, timeout, locateTimeout));

    private string[] Known() => _inventory.Sessions.Keys.Concat(_opened.Keys).Distinct().Order().ToArray();

    private SessionSpec? SpecOf(string name) =>
        _inventory.Sessions.TryGetValue(name, out var spec) ? spec : _opened.GetValueOrDefault(name);

    private string? ZoneOf(string name) => _inventory.Zones.GetValueOrDefault(name);

    private IActorRef RegionOf(string name) => _regions[ZoneOf(name) ?? ""];

    private IActorRef Proxy(string name)
    {
        if (!_proxies.TryGetValue(name, out var proxy))
        {
            var spec = _inventory.Sessions.ContainsKey(name) ? null : _opened.GetValueOrDefault(name);
            proxy = Context.ActorOf(SessionProxyActor.Props(name, spec, RegionOf(name), _locateTimeout, ZoneOf(name)), $"proxy-{_proxies.Count + 1}");
            _proxies[name] = proxy;
        }

        return proxy;
    }

    /// <summary>Every member as this node sees it, each with the counts it reports (null when it does not answer in time).</summary>
    private static async Task<ClusterNodes.NodeList> ListNodesAsync(ActorSystem system, TimeSpan timeout)
    {
        var members = Akka.Cluster.Cluster.Get(system).State.Members.OrderBy(m => m.Address.ToString()).ToArray();
        var answers = await Task.WhenAll(members.Select(async member =>
        {
            try
            {
                var list = await system.ActorSelection(new RootActorPath(member.Address) / "user" / ClusterConfig.NodeActorName)
                    .Ask<ClusterNodes.NodeList>(new ClusterNodes.ListNodes(LocalOnly: true), timeout).ConfigureAwait(false);
                return list.Nodes.FirstOrDefault();
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                return null;
            }
        })).ConfigureAwait(false);
        return new ClusterNodes.NodeList(members.Select((m, i) => new ClusterMember(
            m.Address.ToString(),
            m.Status.ToString(),
            m.Roles.Order().ToArray(),
            answers[i]?.Sessions,
            answers[i]?.Tasks,
            answers[i]?.Connections)).ToArray());
    }
}
