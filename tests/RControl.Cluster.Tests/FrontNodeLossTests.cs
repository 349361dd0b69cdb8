using RControl.Cluster.Tests.Support;
using RControl.Configuration;
using RControl.Protocol;
using RControl.Remote;
using RControl.TestSupport;

namespace RControl.Cluster.Tests;

/// <summary>
/// The node a client talks to is lost while the client's commands run on other nodes: those commands end on their
/// hosts too (a command never outlives its controller, across nodes as within one: each task watches its subscriber,
/// the session proxy on the lost node).
/// </summary>
public sealed class FrontNodeLossTests
{
    private const int Sessions = 30;

    [Fact]
    public async Task Commands_started_through_a_node_that_is_lost_are_killed_on_the_nodes_that_run_them()
    {
        var sessions = Enumerable.Range(0, Sessions).ToDictionary(i => $"f{i:00}", SessionSpec (_) => new LocalSessionSpec());
        await using var cluster = new InProcessCluster(new Inventory(sessions, new Dictionary<string, IReadOnlyList<string>>()));
        var a = cluster.Start();
        var b = cluster.Start();
        var c = cluster.Start();
        await cluster.UpAsync(3);

        var marker = new SleepMarker();
        await using (var client = await RemoteEngine.ConnectAsync(c.Address, cluster.Credentials.ClientConfig()))
        {
            foreach (var name in sessions.Keys)
            {
                _ = (await client.GetSessionAsync(name)).Execute(marker.Command);
            }

            await Poll.UntilAsync(() => marker.Sleeping == Sessions, TimeSpan.FromSeconds(60), "every command sleeping");
            Assert.True(a.Started.Count + b.Started.Count > 0, "no command runs on another node than the client's");

            await c.CrashAsync();

            // C's own commands end with it; those on A and B once the cluster has removed C (6 s pause + 3 s stable-after,
            // then the removal: about 10 s quiet, more at load; the commands would sleep 1000 s).
            await Poll.UntilAsync(() => marker.Sleeping == 0, TimeSpan.FromSeconds(60), "no command left sleeping");
        }
    }
}
