using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using RControl.Cluster.Tests.Support;
using RControl.Configuration;
using RControl.Protocol;
using RControl.Security;
using RControl.TestSupport;

namespace RControl.Cluster.Tests;

/// <summary>
/// Node certificates are told apart from client credentials of the same CA: a real daemon in a cluster refuses cluster
/// traffic (joining, shard regions) from a peer presenting a client certificate — nothing runs — while that client still
/// works through the gate; a node credential issued for another machine (<c>credentials issue-node</c>) joins.
/// </summary>
public sealed class NodeTrustTests
{
    [Fact]
    public async Task A_client_certificate_of_the_cluster_ca_cannot_join_or_reach_the_shard_regions_but_reaches_the_gate()
    {
        using var dir = new TempDir();
        var configHome = dir.PathOf("config");
        var port = FreePort.Get();
        var file = WriteConfig(dir, "node.conf", port, port, dir.PathOf("state"));
        var ci = dir.PathOf("ci.pfx");
        var issued = await Cli.RunAsync(configHome, "daemon", "credentials", "issue", "ci", "--sessions", "here", "--ops", "exec", "--config", file, "--out", ci);
        Assert.True(issued.ExitCode == 0, issued.ToString());

        await using var node = DaemonNode.Start(file, port, configHome);
        await node.WaitForOutputAsync("RControl daemon listening on", TimeSpan.FromSeconds(90));
        await Poll.UntilAsync(async () => await Cli.MembersUpAsync(configHome, node.Address) == 1, TimeSpan.FromSeconds(60), "the node Up");

        // A hand-built cluster node holding the client credential (a valid certificate of the cluster's CA).
        var config = ConfigurationFactory.ParseString("""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.loglevel = ERROR
            """).WithFallback(RControlConfig.ReferenceConfig);
        using var credential = ClientCredential.Load(ci, CredentialLocator.Password);
        var intruder = ActorSystem.Create("rcontrol", RemoteSecurity.CreateSystemSetup(config, EndpointSecurity.ForClient(credential)));
        try
        {
            _ = ClusterSharding.Get(intruder); // its serializers: the envelope is what a real node would send
            // A command straight to the node's shard region for sessions (what a node's session proxy sends).
            var touched = dir.PathOf($"intruder-{Guid.NewGuid():N}");
            var region = ((ExtendedActorSystem)intruder).Provider.ResolveActorRef($"{node.Address}/system/sharding/{ClusterZones.AnyZoneTypeName}");
            region.Tell(new ShardingEnvelope("here", new ExecuteCommand("intruder-1", new CommandSpec($"touch {touched}"))));
            await node.WaitForOutputAsync($"refused cluster traffic from 'ci' (a client certificate)", TimeSpan.FromSeconds(30));
            Assert.Contains(node.Lines, l => l.Contains($"to /system/sharding/{ClusterZones.AnyZoneTypeName}", StringComparison.Ordinal));

            // Joining: the InitJoin to the cluster daemon is refused; the intruder never becomes a member.
            Akka.Cluster.Cluster.Get(intruder).Join(Address.Parse(node.Address));
            await node.WaitForOutputAsync("to /system/cluster/core/daemon", TimeSpan.FromSeconds(60));
            Assert.NotEqual(Akka.Cluster.MemberStatus.Up, Akka.Cluster.Cluster.Get(intruder).SelfMember.Status);
            var nodes = await Cli.RunAsync(configHome, "nodes", "--daemon", node.Address);
            Assert.True(nodes.ExitCode == 0, nodes.ToString());
            Assert.Single(nodes.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

            // The same credential works through the gate, with its grants: exec on 'here'.
            var allowed = dir.PathOf($"allowed-{Guid.NewGuid():N}");
            var exec = await Cli.RunAsync(configHome, new Dictionary<string, string> { ["RCONTROL_CREDENTIAL"] = ci }, "exec", "-t", "here", "--daemon", node.Address, "--", $"touch {allowed}");
            Assert.True(exec.ExitCode == 0, exec.ToString() + node.Output);
            Assert.True(File.Exists(allowed));
            Assert.False(File.Exists(touched), "the intruder's command ran");
            Assert.DoesNotContain(node.Lines, l => l.Contains("intruder-1", StringComparison.Ordinal));
        }
        finally
        {
            await intruder.Terminate();
        }
    }

    [Fact]
    public async Task A_node_credential_issued_for_another_machine_joins_the_cluster()
    {
        using var dir = new TempDir();
        var configHome = dir.PathOf("config");
        var (portA, portB) = (FreePort.Get(), FreePort.Get());
        var fileA = WriteConfig(dir, "a.conf", portA, portA, dir.PathOf("state-a"));
        var stateB = dir.PathOf("state-b");
        var issued = await Cli.RunAsync(configHome, "daemon", "credentials", "issue-node", "node-b", "--config", fileA, "--out", stateB);
        Assert.True(issued.ExitCode == 0, issued.ToString());
        Assert.True(File.Exists(Path.Combine(stateB, "server.pfx")) && File.Exists(Path.Combine(stateB, "ca.crt")), issued.ToString());
        Assert.False(File.Exists(Path.Combine(stateB, "ca.pfx")), "the CA's key left its machine");
        var fileB = WriteConfig(dir, "b.conf", portB, portA, stateB);

        // B's state cannot mint credentials: it has no CA key.
        var mint = await Cli.RunAsync(configHome, "daemon", "credentials", "issue", "x", "--config", fileB, "--out", dir.PathOf("x.pfx"));
        Assert.True(mint.ExitCode == 2 && mint.Stderr.Contains("holds no CA key", StringComparison.Ordinal), mint.ToString());

        await using var a = DaemonNode.Start(fileA, portA, configHome);
        await a.WaitForOutputAsync("RControl daemon listening on", TimeSpan.FromSeconds(90));
        await using var b = DaemonNode.Start(fileB, portB, configHome);
        await b.WaitForOutputAsync("RControl daemon listening on", TimeSpan.FromSeconds(90));
        await Poll.UntilAsync(async () => await Cli.MembersUpAsync(configHome, a.Address) == 2, TimeSpan.FromSeconds(60), "both nodes Up");
        Assert.DoesNotContain(a.Lines, l => l.Contains("refused cluster traffic", StringComparison.Ordinal));

        // B's own admin credential (published for this user) reaches every session of the cluster through B.
        var exec = await Cli.RunAsync(configHome, ["exec", .. Enumerable.Range(0, 4).SelectMany(i => new[] { "-t", $"s{i}" }), "--daemon", b.Address, "--", "echo ok"]);
        Assert.True(exec.ExitCode == 0, exec.ToString() + a.Output + b.Output);
    }

    private static string WriteConfig(TempDir dir, string name, int port, int seed, string state)
    {
        var file = dir.PathOf(name);
        File.WriteAllText(file, $$"""
            akka.remote.dot-netty.tcp.port = {{port}}
            akka.cluster.seed-nodes = ["akka.ssl.tcp://rcontrol@127.0.0.1:{{seed}}"]
            rcontrol.daemon.state-dir = "{{state}}"
            akka.cluster.failure-detector.acceptable-heartbeat-pause = {{TwoNodeCluster.StallTolerance.TotalSeconds}}s
            rcontrol.sessions {
              here { type = local }
              s0 { type = local }
              s1 { type = local }
              s2 { type = local }
              s3 { type = local }
            }
            """);
        return file;
    }
}
