using Akka.Actor;
using Akka.Configuration;
using RControl.Configuration;
using RControl.Hosting;
using RControl.Remote;

namespace RControl.Remote.Tests.Support;

/// <summary>An engine actor system (Akka.Remote on loopback, a free port) with named sessions, in this process.</summary>
public sealed class EngineFixture : IAsyncLifetime
{
    public const string Sessions = """
        rcontrol.sessions {
          local { type = local }
          tmp { type = local, working-directory = "/tmp" }
        }
        """;

    public ActorSystem EngineSystem { get; private set; } = null!;

    public string Address { get; private set; } = "";

    public RemoteEngine Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        EngineSystem = StartEngineSystem(Sessions);
        Address = ((ExtendedActorSystem)EngineSystem).Provider.DefaultAddress.ToString();
        Client = await RemoteEngine.ConnectAsync(Address);
    }

    public static ActorSystem StartEngineSystem(string hocon)
    {
        // RControlConfig.Parse reads ${VAR} from the environment and checks the structure, as for every config.
        var config = RControlConfig.Parse(hocon)
            .WithFallback(ConfigurationFactory.ParseString("akka.actor.provider = remote\nakka.remote.dot-netty.tcp.port = 0"));
        var system = ActorSystem.Create("rcontrol", RemoteSecurity.CreateSystemSetup(config));
        RControlEngine.Start(system, Inventory.Parse(config.GetConfig("rcontrol")));
        return system;
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await EngineSystem.Terminate();
    }
}
