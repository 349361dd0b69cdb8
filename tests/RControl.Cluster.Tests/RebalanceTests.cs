using Akka.Actor;
using Akka.Cluster.Sharding;
using RControl.Cluster.Tests.Support;
using RControl.Configuration;
using RControl.Protocol;
using RControl.Remote;
using RControl.TestSupport;

namespace RControl.Cluster.Tests;

/// <summary>A node joining makes Akka move shards to it: a session with running tasks moves only once they have finished.</summary>
public sealed class RebalanceTests
{
    private const int Sessions = 40;

    [Fact]
    public async Task A_session_with_running_tasks_moves_only_after_they_finish_and_then_runs_on_its_new_node()
    {
        var sessions = Enumerable.Range(0, Sessions).ToDictionary(i => $"r{i:00}", SessionSpec (_) => new LocalSessionSpec());
        await using var cluster = new InProcessCluster(new Inventory(sessions, new Dictionary<string, IReadOnlyList<string>>()));
        const string fastRebalance = "akka.cluster.sharding.rebalance-interval = 500ms";
        var a = cluster.StartWith(fastRebalance);
        var b = cluster.StartWith(fastRebalance);
        await cluster.UpAsync(2);
        await using var client = await RemoteEngine.ConnectAsync(a.Address, cluster.Credentials.ClientConfig());
        var handles = new List<RemoteSession>();
        foreach (var name in sessions.Keys)
        {
            handles.Add(await client.GetSessionAsync(name));
        }

        // Every session runs a 3 s command when node C joins and Akka starts moving shards to it.
        var first = handles.Select(s => s.Execute("sleep 3")).ToArray();
        await Poll.UntilAsync(() => a.Started.Count + b.Started.Count == Sessions, TimeSpan.FromSeconds(30), "every first-round task started");
        var c = cluster.StartWith(fastRebalance);
        await cluster.UpAsync(3);
        var region = ClusterSharding.Get(c.System).ShardRegion(ClusterZones.AnyZoneTypeName);
        await Poll.UntilAsync(
            async () => (await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5))).Shards.Count > 0,
            TimeSpan.FromSeconds(60),
            "shards moved to the new node");

        // Nothing was killed by the move: every first-round command ran its 3 s and exited 0.
        await Task.WhenAll(first.Select(t => t.WaitAsync(raiseIfError: false)));
        Assert.All(first, t => Assert.True(t.ExitCode == 0, $"{t.Session.Name}: {t.Error?.Message}"));

        // The moved sessions run their next command on the new node.
        var second = handles.Select(s => s.Execute("echo moved")).ToArray();
        await Task.WhenAll(second.Select(t => t.WaitAsync(raiseIfError: false)));
        Assert.All(second, t => Assert.True(t.ExitCode == 0, $"{t.Session.Name}: {t.Error?.Message}"));
        var secondIds = second.Select(t => t.Id).ToHashSet();
        var onC = c.Started.Where(s => secondIds.Contains(s.TaskId)).Select(s => s.Session).ToArray();
        Assert.NotEmpty(onC);
        Assert.All(onC, name => Assert.Contains(a.Started.Concat(b.Started), s => s.Session == name)); // they ran elsewhere before
    }
}
