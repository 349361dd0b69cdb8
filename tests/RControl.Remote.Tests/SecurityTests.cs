using RControl.TestSupport;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Logging;
using RControl.Hosting;
using Akka.Configuration;
using RControl.Configuration;
using RControl.Remote.Tests.Support;
using RControl.Security;

namespace RControl.Remote.Tests;

/// <summary>Mutual TLS on every endpoint (loopback included), the insecure switch, pinned / CA trust with validity dates.</summary>
public sealed class SecurityTests : IDisposable
{
    private const string Password = Certificates.Password;
    private readonly string _dir = Directory.CreateTempSubdirectory("rcontrol-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("0.0.0.0")]
    public void Remoting_without_tls_or_the_insecure_setting_is_refused_loopback_included(string hostname)
    {
        var error = Assert.Throws<RemoteSecurityException>(() => RemoteSecurity.FromConfig(Parse($"akka.remote.dot-netty.tcp.hostname = \"{hostname}\"")));
        Assert.Contains("without authentication", error.Message);
        Assert.Contains("rcontrol.remote.tls", error.Message);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("localhost")]
    [InlineData("::1")]
    public void The_insecure_setting_is_accepted_on_loopback(string hostname)
    {
        var config = Parse($"akka.remote.dot-netty.tcp.hostname = \"{hostname}\"\nrcontrol.remote.insecure-no-authentication = on");
        RemoteSecurity.Validate(config);
        Assert.True(RemoteSecurity.FromConfig(config).Insecure);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("192.0.2.10")]
    [InlineData("")]
    [InlineData("example.com")]
    public void The_insecure_setting_is_refused_on_any_other_address(string hostname)
    {
        var error = Assert.Throws<RemoteSecurityException>(() => RemoteSecurity.Validate(Parse($"akka.remote.dot-netty.tcp.hostname = \"{hostname}\"\nrcontrol.remote.insecure-no-authentication = on")));
        Assert.Contains("only loopback", error.Message);
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
        var empty = Assert.Throws<RemoteSecurityException>(() => RemoteSecurity.FromConfig(Tls(path, [])));
        Assert.Contains("pinned-thumbprints is empty", empty.Message);
        Assert.Contains(thumbprint, empty.Message);

        var wrong = Assert.Throws<RemoteSecurityException>(() => RemoteSecurity.FromConfig(Parse(
            $"rcontrol.remote.tls {{ enabled = on, certificate-path = \"{path}\", certificate-password = \"wrong-secret-value\", pinned-thumbprints = [\"{thumbprint}\"] }}")));
        Assert.Contains(path, wrong.Message);
        Assert.DoesNotContain("wrong-secret-value", wrong.Message);

        var security = RemoteSecurity.FromConfig(Tls(path, [thumbprint]));
        Assert.False(security.Insecure);
        Assert.True(security.Ssl!.RequireMutualAuthentication);
        Assert.False(security.Ssl.SuppressValidation);
    }

    [Fact]
    public void Expired_and_not_yet_valid_certificates_are_refused_by_pinned_and_ca_trust_saying_why()
    {
        var now = DateTimeOffset.UtcNow;
        var (expiredPath, expiredThumb) = MakeCertificate("expired", now.AddDays(-10), now.AddDays(-1));
        var (futurePath, futureThumb) = MakeCertificate("future", now.AddDays(1), now.AddDays(10));
        var (validPath, validThumb) = MakeCertificate("valid");
        var pinned = PeerTrust.Pinned([expiredThumb, futureThumb, validThumb]);
        Assert.Contains("expired on", pinned.Check(Load(expiredPath)));
        Assert.Contains("is not valid before", pinned.Check(Load(futurePath)));
        Assert.Null(pinned.Check(Load(validPath)));
        Assert.Contains("is not pinned", PeerTrust.Pinned([validThumb]).Check(Load(expiredPath)));

        using var credentials = new TestCredentials();
        var ca = PeerTrust.IssuedBy(credentials.Authority.Certificate);
        Assert.Contains("expired on", ca.Check(credentials.Authority.Issue("old", now.AddDays(-10), now.AddDays(-1))));
        Assert.Contains("is not valid before", ca.Check(credentials.Authority.Issue("soon", now.AddDays(1), now.AddDays(10))));
        Assert.Null(ca.Check(credentials.Authority.Issue("fine")));
        using var other = CertificateAuthority.Create("another-ca", notBefore: now.AddDays(-1));
        Assert.Contains("is not issued by", ca.Check(other.Issue("fine")));
    }

    [Fact]
    public async Task An_expired_pinned_client_certificate_cannot_connect_and_an_expired_credential_is_refused_before_connecting()
    {
        var now = DateTimeOffset.UtcNow;
        var (enginePath, engineThumb) = MakeCertificate("engine");
        var (expiredPath, expiredThumb) = MakeCertificate("expired-client", now.AddDays(-10), now.AddDays(-1));
        var engineSystem = EngineFixture.StartEngineSystem(
            $$"""
            rcontrol.remote.tls { enabled = on, certificate-path = "{{enginePath}}", certificate-password = "{{Password}}", pinned-thumbprints = ["{{expiredThumb}}"] }
            rcontrol.clients { "rcontrol-test-expired-client" { sessions = ["*"], operations = [exec] } }
            rcontrol.sessions { local { type = local } }
            """,
            security: null);
        try
        {
            var address = ((ExtendedActorSystem)engineSystem).Provider.DefaultAddress.ToString();
            var client = Tls(expiredPath, [engineThumb]).WithFallback(ConfigurationFactory.ParseString("rcontrol.remote.ask-timeout = 3s"));
            await Assert.ThrowsAsync<EngineUnreachableException>(() => RemoteEngine.ConnectAsync(address, client));
        }
        finally
        {
            await engineSystem.Terminate();
        }

        using var credentials = new TestCredentials();
        var stale = credentials.Issue("stale", now.AddDays(-10), now.AddDays(-1));
        var error = await Assert.ThrowsAsync<RemoteSecurityException>(() => RemoteEngine.ConnectAsync("akka.tcp://rcontrol@127.0.0.1:1", TestCredentials.ForFile(stale)));
        Assert.Contains("expired on", error.Message);
        Assert.Contains(stale, error.Message);
    }

    [Fact]
    public async Task A_client_says_why_when_it_refuses_the_engines_certificate()
    {
        using var credentials = new TestCredentials();
        var now = DateTimeOffset.UtcNow;
        using var expiredServer = new ClientCredential(credentials.Authority.Issue("rcontrol-daemon", now.AddDays(-10), now.AddDays(-1)), credentials.Authority.Certificate, null);
        var engineSystem = EngineFixture.StartEngineSystem("rcontrol.sessions { local { type = local } }", EndpointSecurity.ForEngine(expiredServer));
        try
        {
            var address = ((ExtendedActorSystem)engineSystem).Provider.DefaultAddress.ToString();
            // A credential that does not pin a daemon certificate: any certificate of the CA, within its dates.
            var path = Path.Combine(_dir, "unpinned.pfx");
            using (var unpinned = new ClientCredential(credentials.Authority.Issue("admin"), credentials.Authority.Certificate, null))
            {
                unpinned.Save(path);
            }

            var error = await Assert.ThrowsAsync<EngineUnreachableException>(() => RemoteEngine.ConnectAsync(
                address, TestCredentials.ForFile(path).WithFallback(ConfigurationFactory.ParseString("rcontrol.remote.ask-timeout = 3s"))));
            Assert.Contains("this client refused the engine's certificate", error.Message);
            Assert.Contains("expired on", error.Message);
        }
        finally
        {
            await engineSystem.Terminate();
        }
    }

    [Fact]
    public async Task A_stranger_gets_nothing_through_and_the_gate_is_the_only_actor_reachable_by_path()
    {
        using var credentials = new TestCredentials();
        var engineSystem = EngineFixture.StartEngineSystem("rcontrol.sessions { local { type = local } }", credentials);
        try
        {
            var received = new List<object>();
            engineSystem.ActorOf(Props.Create(() => new Witness(received)), "witness");
            var address = ((ExtendedActorSystem)engineSystem).Provider.DefaultAddress.ToString();
            Assert.StartsWith("akka.ssl.tcp://rcontrol@127.0.0.1:", address);
            var quick = ConfigurationFactory.ParseString("rcontrol.remote.ask-timeout = 3s");

            // A stranger with a certificate of another CA cannot complete the handshake: not one message gets through.
            using var strangers = new TestCredentials();
            var strangerSystem = RemoteEngine.CreateClientSystem(strangers.ClientConfig().WithFallback(quick), "stranger");
            try
            {
                strangerSystem.ActorSelection($"{address}/user/witness").Tell("hello from a stranger");
                await Assert.ThrowsAsync<EngineUnreachableException>(() => RemoteEngine.ConnectAsync(RControlSystem.Attach(strangerSystem), address));
            }
            finally
            {
                await strangerSystem.Terminate();
            }

            // A client without TLS gets nothing through either.
            var plainSystem = RemoteEngine.CreateClientSystem(ConfigurationFactory.ParseString("rcontrol.remote.insecure-no-authentication = on").WithFallback(quick), "plain");
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

            // A trusted client: a full round trip over TLS, yet no actor but the gate is reachable by path (untrusted mode).
            await using var client = await RemoteEngine.ConnectAsync(address, credentials.ClientConfig());
            var session = await client.GetSessionAsync("local");
            var lines = new List<string>();
            Assert.Equal(0, await session.Execute("echo over tls", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync());
            Assert.Equal(["over tls"], lines);
            client.System.ActorSystem.ActorSelection($"{address}/user/witness").Tell("hello from a friend by path");
            var gate = await client.System.ActorSystem.ActorSelection($"{address}/user/rcontrol").Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(10));
            Assert.NotNull(gate.Subject); // positive control: selection works, for the gate only
            var files = await client.System.ActorSystem.ActorSelection($"{address}/user/{Actors.FileServiceActor.ActorName}").Ask<ActorIdentity>(new Identify(2), TimeSpan.FromSeconds(10))
                .WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null);
            Assert.Null(files?.Subject);
            engineSystem.ActorSelection("/user/witness").Tell("local control");
            await Poll.UntilAsync(() => Snapshot(received).Count > 0, TimeSpan.FromSeconds(20), "the local control message at the witness");
            Assert.Equal(["local control"], Snapshot(received));
        }
        finally
        {
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
            rcontrol.clients { "rcontrol-test-daemon-client" { sessions = [local], operations = [exec] } }
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
        Assert.Equal("rcontrol-test-daemon-client", client.Identity);
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
        var grants = ConfigurationFactory.ParseString("rcontrol.clients { \"rcontrol-test-host-client\" { sessions = [local], operations = [exec] } }");
        builder.Services.AddRControl(
            (akka, _) => akka.WithRemoting("127.0.0.1", port).WithRControlTls(grants.WithFallback(Tls(hostPath, [clientThumb]))),
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

    private static X509Certificate2 Load(string path) => X509CertificateLoader.LoadPkcs12FromFile(path, Password);

    private (string Path, string Thumbprint) MakeCertificate(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null) =>
        Certificates.Create(_dir, name, notBefore, notAfter);

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
