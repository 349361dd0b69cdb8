using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;
using RControl.Cluster;
using RControl.Configuration;
using RControl.Hosting;
using RControl.Protocol;
using RControl.TestSupport;

namespace RControl.Cluster.Tests.Support;

/// <summary>
/// Nodes of one cluster in this process: each an actor system with Akka.Remote (mutual TLS, one CA), Akka.Cluster and
/// the engine, on a free loopback port; the first is the seed. Each node records the tasks it started (its event stream).
/// Failure detection: 6 s heartbeat pause + 3 s stable-after (as the process-level cluster test). All nodes share this
/// process, so a stall of it (a long collection, a starved CI machine running six test projects on two cores) stops
/// every node's heartbeats at once: with 2 s + 2 s a stall of a few seconds while a node is lost can leave a survivor
/// seeing the other survivor unreachable too when the split-brain resolver decides, and keep-majority then downs it.
/// </summary>
public sealed class InProcessCluster : IAsyncDisposable
{
    private readonly List<Node> _nodes = new();

    public InProcessCluster(Inventory inventory)
    {
        Inventory = inventory;
    }

    public TestCredentials Credentials { get; } = new();

    public Inventory Inventory { get; }

    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>Starts a node with these roles (zones); the first node started is every node's seed.</summary>
    public Node Start(params string[] roles) => StartWith("", roles);

    /// <summary>Starts a node with extra settings (HOCON, in front) and these roles.</summary>
    public Node StartWith(string extra, params string[] roles)
    {
        var port = FreePort.Get();
        var seed = _nodes.Count == 0 ? port : _nodes[0].Port;
        var config = ConfigurationFactory.ParseString($$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{port}} }
            akka.cluster.seed-nodes = ["akka.ssl.tcp://rcontrol@127.0.0.1:{{seed}}"]
            akka.cluster.roles = [{{string.Join(", ", roles.Select(r => $"\"{r}\""))}}]
            akka.cluster.split-brain-resolver.stable-after = 3s
            akka.cluster.failure-detector.acceptable-heartbeat-pause = 6s
            akka.cluster.sharding.handoff-timeout = 20s
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            akka.loglevel = WARNING
            """).WithFallback(RControlConfig.ReferenceConfig);
        config = ConfigurationFactory.ParseString(extra).WithFallback(config);
        var system = ActorSystem.Create("rcontrol", ClusterConfig.CreateSystemSetup(config, Credentials.Engine, Inventory.Zones.Values));
        var node = new Node(system, port, roles);
        RControlEngine.Start(system, Inventory);
        _nodes.Add(node);
        return node;
    }

    /// <summary>Waits until every running node sees <paramref name="count"/> members Up.</summary>
    public Task UpAsync(int count) => Poll.UntilAsync(
        () => _nodes.Where(n => !n.Stopped).All(n => Akka.Cluster.Cluster.Get(n.System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == count),
        TimeSpan.FromSeconds(60),
        $"{count} members Up on every node");

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes.Where(n => !n.Stopped))
        {
            await node.System.Terminate();
        }

        Credentials.Dispose();
    }

    /// <summary>One member and the tasks it reported starting.</summary>
    public sealed class Node
    {
        internal Node(ActorSystem system, int port, IReadOnlyList<string> roles)
        {
            System = system;
            Port = port;
            Roles = roles;
            var recorder = system.ActorOf(Props.Create(() => new Recorder(Started)));
            system.EventStream.Subscribe(recorder, typeof(CommandTaskStarted));
        }

        public ActorSystem System { get; }

        public int Port { get; }

        public IReadOnlyList<string> Roles { get; }

        public string Address => $"akka.ssl.tcp://rcontrol@127.0.0.1:{Port}";

        /// <summary>Every task this node started: (session, task id).</summary>
        public ConcurrentQueue<(string Session, string TaskId)> Started { get; } = new();

        public bool Stopped { get; private set; }

        /// <summary>
        /// Stops the node as a crash would look to the others: its remoting goes first (nothing it says afterwards
        /// reaches anyone, its connections drop), then the system (its commands are killed on their hosts), with no
        /// leaving the cluster.
        /// </summary>
        public async Task CrashAsync()
        {
            Stopped = true;
            await ((IRemoteActorRefProvider)((ExtendedActorSystem)System).Provider).Transport.Shutdown();
            await System.Terminate();
        }

        private sealed class Recorder : ReceiveActor
        {
            public Recorder(ConcurrentQueue<(string, string)> started) =>
                Receive<CommandTaskStarted>(s => started.Enqueue((s.Session, s.TaskId)));
        }
    }
}
