using RControl.TestSupport;
using Akka.Actor;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Logging;
using RControl.Hosting;
using Akka.Configuration;
using RControl.Configuration;
using RControl.Remote.Tests.Support;

namespace RControl.Remote.Tests;

/// <summary>Loopback by default, TLS with mutual authentication otherwise, pinned certificates.</summary>
public sealed class SecurityTests : IDisposable
{
    private const string Password = Certificates.Password;
    private readonly string _dir = Directory.CreateTempSubdirectory("rcontrol-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("localhost")]
    [InlineData("::1")]
    public void Loopback_without_tls_is_accepted(string hostname) =>
        RemoteSecurity.Validate(Parse($"akka.remote.dot-netty.tcp.hostname = \"{hostname}\""));

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("192.0.2.10")]
    [InlineData("")]
    [InlineData("example.com")]
    public void Any_other_address_without_tls_is_refused_with_how_to_enable_tls(string hostname)
    {
        var error = Assert.Throws<RemoteSecurityException>(() => RemoteSecurity.Validate(Parse($"akka.remote.dot-netty.tcp.hostname = \"{hostname}\"")));
        Assert.Contains("without TLS", error.Message);
        Assert.Contains("rcontrol.remote.tls.enabled = on", error.Message);
        Assert.Contains("certificate-path", error.Message);
    }

    [Fact]
    public void Tls_without_mutual_authentication_or_with_suppressed_validation_is_refused()
    {
        var noMutual = Assert.Throws<RemoteSecurityException>(() => RemoteSecurity.Validate(Parse(
            "akka.remote.dot-netty.tcp { hostname = 0.0.0.0, enable-ssl = on, ssl.require-mutual-authentication = off }")));
        Assert.Contains("require-mutual-authentication", noMutual.Message);
        var suppressed = Assert.Throws<RemoteSecurityException>(() => RemoteSecurity.Validate(Parse(
            "akka.remote.dot-netty.tcp { hostname = 0.0.0.0, enable-ssl = on, ssl.suppress-validation = on }")));
        Assert.Contains("suppress-validation", suppressed.Message);
        RemoteSecurity.Validate(Parse("akka.remote.dot-netty.tcp.hostname = 0.0.0.0\nrcontrol.remote.tls.enabled = on"));
    }

    [Fact]
    public void Pinned_trust_needs_thumbprints_and_the_password_never_shows_in_errors()
    {
        var (path, thumbprint) = MakeCertificate("node");
        var empty = Assert.Throws<RemoteSecurityException>(() => RemoteSecurity.CreateSslSetup(Tls(path, [])));
        Assert.Contains("pinned-thumbprints is empty", empty.Message);
        Assert.Contains(thumbprint, empty.Message);

        var wrong = Assert.Throws<RemoteSecurityException>(() => RemoteSecurity.CreateSslSetup(Parse(
            $"rcontrol.remote.tls {{ enabled = on, certificate-path = \"{path}\", certificate-password = \"wrong-secret-value\", pinned-thumbprints = [\"{thumbprint}\"] }}")));
        Assert.Contains(path, wrong.Message);
        Assert.DoesNotContain("wrong-secret-value", wrong.Message);

        var setup = RemoteSecurity.CreateSslSetup(Tls(path, [thumbprint]));
        Assert.NotNull(setup);
        Assert.True(setup!.RequireMutualAuthentication);
        Assert.False(setup.SuppressValidation);
    }

    [Fact]
    public async Task Tls_round_trip_with_generated_certificates_and_an_untrusted_client_cannot_send_a_single_message()
    {
        var (serverPath, serverThumb) = MakeCertificate("engine");
        var (clientPath, clientThumb) = MakeCertificate("client");
        var (strangerPath, _) = MakeCertificate("stranger");
        var passwordVariable = $"RCONTROL_TEST_TLS_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(passwordVariable, Password);

        var engineSystem = EngineFixture.StartEngineSystem($$"""
            akka.remote.dot-netty.tcp.hostname = "127.0.0.1"
            rcontrol.remote.tls {
              enabled = on
              certificate-path = "{{serverPath}}"
              certificate-password = ${?{{passwordVariable}}}
              pinned-thumbprints = ["{{clientThumb}}"]
            }
            rcontrol.sessions { local { type = local } }
            """);
        try
        {
            var received = new List<object>();
            var witness = engineSystem.ActorOf(Props.Create(() => new Witness(received)), "witness");
            var address = ((ExtendedActorSystem)engineSystem).Provider.DefaultAddress.ToString();
            Assert.StartsWith("akka.ssl.tcp://rcontrol@127.0.0.1:", address);

            // A stranger (a certificate the engine does not pin) gets nothing through, not even one message.
            var strangerConfig = ConfigurationFactory.ParseString($$"""
                rcontrol.remote.ask-timeout = 3s
                rcontrol.remote.tls { enabled = on, certificate-path = "{{strangerPath}}", certificate-password = "{{Password}}", pinned-thumbprints = ["{{serverThumb}}"] }
                """);
            var strangerSystem = RemoteEngine.CreateClientSystem(strangerConfig, "stranger");
            try
            {
                strangerSystem.ActorSelection($"{address}/user/witness").Tell("hello from a stranger");
                await Assert.ThrowsAsync<EngineUnreachableException>(() => RemoteEngine.ConnectAsync(RControlSystem.Attach(strangerSystem), address));
            }
            finally
            {
                await strangerSystem.Terminate();
            }

            // A client without TLS at all gets nothing through either.
            var plain = await Assert.ThrowsAsync<EngineUnreachableException>(() => RemoteEngine.ConnectAsync(address, ConfigurationFactory.ParseString("rcontrol.remote.ask-timeout = 3s")));
            Assert.Contains("uses TLS", plain.Message);
            var plainSystem = RemoteEngine.CreateClientSystem(ConfigurationFactory.ParseString("rcontrol.remote.ask-timeout = 3s"), "plain");
            try
            {
                var plainAddress = address.Replace("akka.ssl.tcp://", "akka.tcp://", StringComparison.Ordinal);
                plainSystem.ActorSelection($"{plainAddress}/user/witness").Tell("hello over plain tcp");
                await Assert.ThrowsAsync<EngineUnreachableException>(() => RemoteEngine.ConnectAsync(RControlSystem.Attach(plainSystem), plainAddress));
            }
            finally
            {
                await plainSystem.Terminate();
            }

            // The trusted client: a full round trip over TLS.
            var clientConfig = ConfigurationFactory.ParseString($$"""
                rcontrol.remote.tls { enabled = on, certificate-path = "{{clientPath}}", certificate-password = "{{Password}}", pinned-thumbprints = ["{{serverThumb}}"] }
                """);
            await using var client = await RemoteEngine.ConnectAsync(address, clientConfig);
            var session = await client.GetSessionAsync("local");
            var lines = new List<string>();
            Assert.Equal(0, await session.Execute("echo over tls", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync());
            Assert.Equal(["over tls"], lines);

            // Positive control: the witness does receive a trusted client's message — and only that one.
            client.System.ActorSystem.ActorSelection($"{address}/user/witness").Tell("hello from a friend");
            await Poll.UntilAsync(() => Snapshot(received).Count > 0, TimeSpan.FromSeconds(20), "the trusted client's message at the witness");
            Assert.Equal(["hello from a friend"], Snapshot(received));
        }
        finally
        {
            Environment.SetEnvironmentVariable(passwordVariable, null);
            await engineSystem.Terminate();
        }
    }

    [Fact]
    public async Task Daemon_with_tls_serves_a_pinned_client()
    {
        var (daemonPath, daemonThumb) = MakeCertificate("daemon");
        var (clientPath, clientThumb) = MakeCertificate("daemon-client");
        var variable = $"RCONTROL_TEST_TLS_{Guid.NewGuid():N}";
        await using var daemon = await DaemonProcess.StartReadyAsync(
            $$"""
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {port} }
            rcontrol.sessions { local { type = local } }
            rcontrol.remote.tls {
              enabled = on
              certificate-path = "{{daemonPath}}"
              certificate-password = ${?{{variable}}}
              pinned-thumbprints = ["{{clientThumb}}"]
            }
            """,
            new Dictionary<string, string> { [variable] = Password });
        Assert.Contains($"listening on akka.ssl.tcp://rcontrol@127.0.0.1:{daemon.Port}", daemon.Output);
        Assert.DoesNotContain(Password, daemon.Output);

        await using var client = await RemoteEngine.ConnectAsync(
            $"akka.ssl.tcp://rcontrol@127.0.0.1:{daemon.Port}",
            Tls(clientPath, [daemonThumb]));
        var session = await client.GetSessionAsync("local");
        Assert.Equal(0, await session.Execute("true").WaitAsync());
    }

    [Fact]
    public async Task Host_app_with_remoting_and_tls_serves_a_pinned_client()
    {
        var (hostPath, hostThumb) = MakeCertificate("host");
        var (clientPath, clientThumb) = MakeCertificate("host-client");
        var port = Ports.Free();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddRControl(
            (akka, _) => akka.WithRemoting("127.0.0.1", port).WithRControlTls(Tls(hostPath, [clientThumb])),
            options => options.AddSession("local", new Protocol.LocalSessionSpec()),
            actorSystemName: "rcontrol");
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await using var client = await RemoteEngine.ConnectAsync($"akka.ssl.tcp://rcontrol@127.0.0.1:{port}", Tls(clientPath, [hostThumb]));
            var session = await client.GetSessionAsync("local");
            Assert.Equal(0, await session.Execute("true").WaitAsync());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static List<object> Snapshot(List<object> received)
    {
        lock (received)
        {
            return received.ToList();
        }
    }

    private (string Path, string Thumbprint) MakeCertificate(string name) => Certificates.Create(_dir, name);

    private static Config Tls(string path, string[] pins) => Parse(
        $"rcontrol.remote.tls {{ enabled = on, certificate-path = \"{path}\", certificate-password = \"{Password}\", pinned-thumbprints = [{string.Join(", ", pins.Select(p => $"\"{p}\""))}] }}");

    private static Config Parse(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(RControlConfig.ReferenceConfig);

    private sealed class Witness : ReceiveActor
    {
        public Witness(List<object> received) =>
            ReceiveAny(m =>
            {
                lock (received)
                {
                    received.Add(m);
                }
            });
    }
}
