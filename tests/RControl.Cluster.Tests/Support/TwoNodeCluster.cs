using RControl.TestSupport;

namespace RControl.Cluster.Tests.Support;

/// <summary>
/// Two real daemons on one machine sharing a state directory, each with local sessions <c>s0 … sN-1</c>, both Up.
/// A has the lower port and is the seed: it is the leader, and keep-majority keeps its side of a two-node split.
/// </summary>
public sealed class TwoNodeCluster : IAsyncDisposable
{
    private TwoNodeCluster(DaemonNode a, DaemonNode b, string configHome)
    {
        A = a;
        B = b;
        ConfigHome = configHome;
    }

    public DaemonNode A { get; }

    public DaemonNode B { get; }

    /// <summary>The config home whose admin credential the CLI finds for both nodes.</summary>
    public string ConfigHome { get; }

    /// <summary>
    /// The failure detector's heartbeat pause unless <c>extraConfig</c> sets one: the nodes ride out a loaded machine's
    /// stalls. With Akka's 3 s a daemon stalled for about 4 s (CI runs six test projects on two cores) is unreachable:
    /// a file call on its session then fails as <c>node lost</c> (as documented), and a graceful leave logs it Unreachable.
    /// </summary>
    public static readonly TimeSpan StallTolerance = TimeSpan.FromSeconds(10);

    /// <param name="extraConfig">More HOCON lines for both nodes (e.g. failure detection, grace periods).</param>
    public static async Task<TwoNodeCluster> StartAsync(TempDir dir, int sessions, string extraConfig = "")
    {
        var state = dir.PathOf("state");
        var configHome = dir.PathOf("config");
        var ports = new[] { FreePort.Get(), FreePort.Get() }.Order().ToArray();
        var sessionLines = string.Join("\n", Enumerable.Range(0, sessions).Select(i => $"  s{i} {{ type = local }}"));
        var files = ports.Select((port, i) =>
        {
            var file = dir.PathOf($"node{i}.conf");
            File.WriteAllText(file, $$"""
                akka.remote.dot-netty.tcp.port = {{port}}
                akka.cluster.seed-nodes = ["akka.ssl.tcp://rcontrol@127.0.0.1:{{ports[0]}}"]
                rcontrol.daemon.state-dir = "{{state}}"
                akka.cluster.failure-detector.acceptable-heartbeat-pause = {{StallTolerance.TotalSeconds}}s
                {{extraConfig}}
                rcontrol.sessions {
                {{sessionLines}}
                }
                """);
            return file;
        }).ToArray();

        var cluster = new TwoNodeCluster(DaemonNode.Start(files[0], ports[0], configHome), DaemonNode.Start(files[1], ports[1], configHome), configHome);
        try
        {
            await Task.WhenAll(
                cluster.A.WaitForOutputAsync("RControl daemon listening on", TimeSpan.FromSeconds(90)),
                cluster.B.WaitForOutputAsync("RControl daemon listening on", TimeSpan.FromSeconds(90)));
            await Poll.UntilAsync(async () => await Cli.MembersUpAsync(configHome, cluster.A.Address) == 2, TimeSpan.FromSeconds(60), "both nodes Up");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
    }
}
