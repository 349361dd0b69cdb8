using Akka.Actor;
using Akka.Configuration;
using RControl.Configuration;
using RControl.Hosting;
using RControl.Remote;
using RControl.Security;

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

    /// <summary>The CA, the engine's certificate and the clients' credentials of this fixture.</summary>
    public TestSupport.TestCredentials Credentials { get; } = new();

    public ActorSystem EngineSystem { get; private set; } = null!;

    public string Address { get; private set; } = "";

    public RemoteEngine Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        EngineSystem = StartEngineSystem(Sessions, Credentials);
        Address = ((ExtendedActorSystem)EngineSystem).Provider.DefaultAddress.ToString();
        Client = await RemoteEngine.ConnectAsync(Address, Credentials.ClientConfig());
    }

    /// <summary>An engine system secured by <paramref name="credentials"/>' CA (clients log in with its credentials).</summary>
    public static ActorSystem StartEngineSystem(string hocon, TestSupport.TestCredentials credentials) => StartEngineSystem(hocon, credentials.Engine);

    /// <summary>An engine system secured by <paramref name="security"/> (null: from the config's <c>rcontrol.remote.tls</c>).</summary>
    internal static ActorSystem StartEngineSystem(string hocon, EndpointSecurity? security)
    {
        // RControlConfig.Parse reads ${VAR} from the environment and checks the structure, as for every config.
        var config = RControlConfig.Parse(hocon)
            .WithFallback(ConfigurationFactory.ParseString("akka.actor.provider = remote\nakka.remote.dot-netty.tcp.port = 0"));
        var system = ActorSystem.Create("rcontrol", RemoteSecurity.CreateSystemSetup(config, security));
        RControlEngine.Start(system, Inventory.Parse(config.GetConfig("rcontrol")));
        return system;
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await EngineSystem.Terminate();
        Credentials.Dispose();
    }
}
