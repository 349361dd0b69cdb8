using System.Collections.Concurrent;
using RControl.Cluster.Tests.Support;
using RControl.Configuration;
using RControl.Protocol;
using RControl.Remote;
using RControl.TestSupport;

namespace RControl.Cluster.Tests;

/// <summary>
/// Three actor systems in this process form a cluster over loopback with mutual TLS; a client logged in at one node
/// runs commands on every session of the cluster (local and SSH, some pinned to a zone); one node crashes mid-run.
/// </summary>
public sealed class InProcessClusterTests(SshdFixture sshd) : IClassFixture<SshdFixture>
{
    private const int LocalSessions = 1000;
    private const int ZoneSessions = 20;
    private const string Zone = "dc-eu";

    [Fact]
    public async Task A_plan_over_every_session_reports_each_task_once_zones_hold_and_a_crashed_nodes_tasks_fail_once()
    {
        var sessions = new Dictionary<string, SessionSpec>(StringComparer.Ordinal);
        var zones = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < LocalSessions; i++)
        {
            sessions[$"s{i:000}"] = new LocalSessionSpec();
        }

        for (var i = 0; i < ZoneSessions; i++)
        {
            sessions[$"z{i:00}"] = new LocalSessionSpec();
            zones[$"z{i:00}"] = Zone;
        }

        sessions["ssh1"] = sshd.Server.Spec();
        sessions["ssh2"] = sshd.Server.Spec();
        sessions["ssh-eu"] = sshd.Server.Spec();
        zones["ssh-eu"] = Zone;
        var inventory = new Inventory(sessions, new Dictionary<string, IReadOnlyList<string>>()) { Zones = zones };

        await using var cluster = new InProcessCluster(inventory);
        // No periodic rebalance: after C's loss its shards are allocated to A and B, and a rebalance then would move
        // sessions whose long sleeps still run (killed at the hand-off timeout, as documented; RebalanceTests covers it).
        const string NoRebalance = "akka.cluster.sharding.rebalance-interval = 1h";
        var a = cluster.StartWith(NoRebalance);
        var b = cluster.StartWith(NoRebalance, Zone);
        var c = cluster.StartWith(NoRebalance, Zone);
        await cluster.UpAsync(3);

        await using var client = await RemoteEngine.ConnectAsync(a.Address, cluster.Credentials.ClientConfig());
        var nodes = await client.ListNodesAsync();
        Assert.Equal(new[] { a.Address, b.Address, c.Address }.Order(), nodes.Select(n => n.Address).Order());
        Assert.All(nodes, n => Assert.Equal("Up", n.Status));
        Assert.Equal([Zone], nodes.Single(n => n.Address == b.Address).Roles);

        var handles = new Dictionary<string, RemoteSession>(StringComparer.Ordinal);
        foreach (var name in await client.ListSessionsAsync())
        {
            handles[name] = await client.GetSessionAsync(name);
        }

        Assert.Equal(sessions.Count, handles.Count);

        // 1. A command on every session, from a client of node A: each task reports once, with its output.
        var reports = new ConcurrentDictionary<string, int>();
        var outputs = new ConcurrentDictionary<string, string>();
        var tasks = handles.Values.Select(s => s.Execute($"echo ran-{s.Name}", new CommandOptions
        {
            OnStdout = (t, line) => outputs[t.Session.Name] = line,
            OnDone = t => reports.AddOrUpdate(t.Id, 1, (_, n) => n + 1),
        })).ToArray();
        await Task.WhenAll(tasks.Select(t => t.WaitAsync(raiseIfError: false)));
        Assert.All(tasks, t => Assert.True(t.ExitCode == 0, $"{t.Session.Name}: {t.Error?.Message}"));
        Assert.All(tasks, t => Assert.Equal($"ran-{t.Session.Name}", outputs[t.Session.Name]));
        await Poll.UntilAsync(() => reports.Count == tasks.Length, TimeSpan.FromSeconds(10), "every task's report");
        Assert.All(reports.Values, n => Assert.Equal(1, n));

        // The nodes report what they ran: every task ran on exactly one node, the zone's sessions only on its nodes,
        // and the work is spread over the three nodes.
        var ranOn = cluster.Nodes.SelectMany(n => n.Started.Select(s => (s.Session, s.TaskId, Node: n))).ToArray();
        Assert.Equal(tasks.Length, ranOn.Length);
        Assert.Equal(tasks.Select(t => t.Id).Order(), ranOn.Select(r => r.TaskId).Order());
        Assert.All(ranOn.Where(r => zones.ContainsKey(r.Session)), r => Assert.Contains(Zone, r.Node.Roles));
        Assert.All(cluster.Nodes, n => Assert.True(n.Started.Count > LocalSessions / 10, $"node {n.Address} ran only {n.Started.Count} tasks"));

        // rcontrol nodes' counts: every session hosted once somewhere, this client's one connection at A, no task running.
        await Poll.UntilAsync(
            async () => (await client.ListNodesAsync()).Sum(n => n.Tasks ?? -1000) == 0,
            TimeSpan.FromSeconds(10),
            "no task counted as running");
        var counts = await client.ListNodesAsync();
        Assert.Equal(sessions.Count, counts.Sum(n => n.Sessions));
        Assert.Equal(1, counts.Single(n => n.Address == a.Address).Connections);
        Assert.Equal(0, counts.Single(n => n.Address == b.Address).Connections);

        // 2. Node C crashes mid-run: its tasks fail once ("node lost: …") and its commands die with it; the others
        // run on, and a kill through node A ends them on their nodes.
        var hostedOnC = ranOn.Where(r => r.Node == c).Select(r => r.Session).ToHashSet();
        var started = cluster.Nodes.Sum(n => n.Started.Count);
        var marker = new SleepMarker();
        reports.Clear();
        var second = handles.Values.Select(s => s.Execute(marker.Command, new CommandOptions
        {
            OnDone = t => reports.AddOrUpdate(t.Id, 1, (_, n) => n + 1),
        })).ToArray();
        await Poll.UntilAsync(() => cluster.Nodes.Sum(n => n.Started.Count) == started + second.Length, TimeSpan.FromSeconds(60), "every second-round task started");
        await c.CrashAsync();
        var lost = second.Where(t => hostedOnC.Contains(t.Session.Name)).ToArray();
        var survivors = second.Except(lost).ToArray();
        await Task.WhenAll(lost.Select(t => t.WaitAsync(raiseIfError: false)));
        Assert.All(lost, t => Assert.Contains("node lost: " + c.Address, t.Error?.Message));
        Assert.All(survivors, t => Assert.True(t.IsRunning, $"{t.Session.Name} ended: {t.Error?.Message}"));
        await Poll.UntilAsync(() => marker.Sleeping == survivors.Length, TimeSpan.FromSeconds(10), "the lost node's commands gone from the host");

        await Task.WhenAll(survivors.Select(t => t.KillAsync()));
        await Task.WhenAll(survivors.Select(t => t.WaitAsync(raiseIfError: false)));
        Assert.All(survivors, t => Assert.IsType<TaskCancelledException>(t.Error));
        await Poll.UntilAsync(() => marker.Sleeping == 0, TimeSpan.FromSeconds(10), "every killed command gone from the host");
        await Poll.UntilAsync(() => reports.Count == second.Length, TimeSpan.FromSeconds(10), "every second-round report");
        Assert.All(reports.Values, n => Assert.Equal(1, n));

        // 3. The lost node's sessions come back on the survivors and take new commands (zone sessions on B only).
        await cluster.UpAsync(2);
        var before = b.Started.Count + a.Started.Count;
        var third = hostedOnC.Select(name => handles[name].Execute("echo again")).ToArray();
        await Task.WhenAll(third.Select(t => t.WaitAsync(raiseIfError: false)));
        Assert.All(third, t => Assert.True(t.ExitCode == 0, $"{t.Session.Name}: {t.Error?.Message}"));
        var rerun = a.Started.Concat(b.Started).Where(s => third.Any(t => t.Id == s.TaskId)).ToArray();
        Assert.Equal(third.Length, rerun.Length);
        Assert.All(third.Where(t => zones.ContainsKey(t.Session.Name)), t => Assert.Contains(b.Started, s => s.TaskId == t.Id));
        Assert.True(a.Started.Count + b.Started.Count - before == third.Length);
    }
}
