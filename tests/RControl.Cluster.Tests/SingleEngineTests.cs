using Akka.Actor;
using Akka.Configuration;
using RControl.Configuration;
using RControl.Hosting;
using RControl.Remote;
using RControl.Security;
using RControl.TestSupport;

namespace RControl.Cluster.Tests;

/// <summary>An engine without cluster settings stays a single engine: no cluster, an empty member list.</summary>
public sealed class SingleEngineTests
{
    [Fact]
    public async Task A_single_engine_lists_no_members_and_runs_without_akka_cluster()
    {
        using var credentials = new TestCredentials();
        var config = ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.loglevel = WARNING
            """).WithFallback(RControlConfig.ReferenceConfig);
        Assert.False(ClusterConfig.IsConfigured(config));
        var system = ActorSystem.Create("rcontrol", RemoteSecurity.CreateSystemSetup(config, credentials.Engine));
        try
        {
            RControlEngine.Start(system, Inventory.Parse("sessions { one { type = local } }"));
            Assert.IsNotType<Akka.Cluster.ClusterActorRefProvider>(((ExtendedActorSystem)system).Provider);
            var address = ((ExtendedActorSystem)system).Provider.DefaultAddress.ToString();
            await using var client = await RemoteEngine.ConnectAsync(address, credentials.ClientConfig());
            Assert.Empty(await client.ListNodesAsync());
            Assert.Equal(0, await (await client.GetSessionAsync("one")).Execute("true").WaitAsync());
        }
        finally
        {
            await system.Terminate();
        }
    }
}
