using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RControl.Actors;
using RControl.Hosting;
using RControl.Protocol;
using RControl.Remote;
using RControl.Security;
using RControl.TestSupport;

namespace RControl.Remote.Tests;

/// <summary>The engine embedded in a generic host through Akka.Hosting.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task Generic_host_resolves_the_facade_and_runs_commands_on_configured_and_code_sessions()
    {
        var logs = new CapturingLoggerProvider();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddRControl(
            (akka, _) => akka.AddHocon("rcontrol.sessions { from-hocon { type = local, working-directory = \"/tmp\" } }", HoconAddMode.Prepend),
            options => options.AddSession("from-code", new LocalSessionSpec()),
            actorSystemName: $"host-{Guid.NewGuid():N}");

        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var rc = host.Services.GetRequiredService<RControlSystem>();
            var engine = host.Services.GetRequiredService<IRequiredActor<RControlEngine>>();
            Assert.Equal(rc.Engine, await engine.GetAsync());
            Assert.StartsWith("/user/rcontrol-sessions-", rc.Engine.Path.ToStringWithoutAddress()); // unguessable: only the gate has a well-known name

            var sessions = host.Services.GetRequiredService<Remote.RemoteEngine>();
            Assert.Equal(["from-code", "from-hocon"], await sessions.ListSessionsAsync());
            var configured = await sessions.GetSessionAsync("from-hocon");
            var lines = new List<string>();
            Assert.Equal(0, await configured.Execute("pwd", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync());
            Assert.Equal(["/tmp"], lines);

            await using var local = rc.CreateLocalSession("adhoc");
            Assert.Equal(3, await local.Execute("exit 3", new CommandOptions { ExpectedExitCode = 3 }).WaitAsync());

            // Engine logs reach the host's Microsoft.Extensions.Logging: a scope that fails reports its task errors.
            await Assert.ThrowsAsync<InvalidOperationException>(() => local.RunScopedAsync(s =>
            {
                s.Execute("exit 1");
                throw new InvalidOperationException("scope failed");
            }));
            await Poll.UntilAsync(() => logs.Messages.Any(m => m.Contains("Task error while the scope itself failed", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "the scope's task error in the host's log");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Sessions_can_be_declared_in_microsoft_extensions_configuration()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["rcontrol:sessions:from-config:type"] = "local",
            ["rcontrol:sessions:from-config:working-directory"] = "/tmp",
        });
        builder.Services.AddRControl(
            (akka, provider) => akka.AddHocon(provider.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>().GetSection("rcontrol"), HoconAddMode.Prepend),
            actorSystemName: $"iconfig-{Guid.NewGuid():N}");
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var engine = host.Services.GetRequiredService<Remote.RemoteEngine>();
            Assert.Equal(["from-config"], await engine.ListSessionsAsync());
            var lines = new List<string>();
            await (await engine.GetSessionAsync("from-config")).Execute("pwd", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync();
            Assert.Equal(["/tmp"], lines);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Engine_is_reachable_through_the_actor_registry_marker()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka($"registry-{Guid.NewGuid():N}", akka => akka.WithRControl(o => o.AddSession("one", new LocalSessionSpec())));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var registry = host.Services.GetRequiredService<ActorRegistry>();
            var engine = registry.Get<RControlEngine>();
            var list = await engine.Ask<SessionList>(ListSessions.Instance, TimeSpan.FromSeconds(10));
            Assert.Equal(["one"], list.Names);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    internal sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Messages.Enqueue($"{category}: {formatter(state, exception)}");
        }
    }
}

/// <summary>The docs' "embedded engine served to remote clients" example, as a test.</summary>
public sealed class EmbeddedRemotingTests
{
    [Fact]
    public async Task Host_app_with_remoting_serves_its_named_sessions_to_a_remote_client()
    {
        using var credentials = new TestCredentials();
        var port = Support.Ports.Free();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddRControl(
            (akka, _) => akka
                .WithRemoting("127.0.0.1", port)
                .WithRControlSecurity(credentials.Engine)
                .AddHocon("rcontrol.sessions { builder { type = local } }", HoconAddMode.Prepend),
            actorSystemName: "rcontrol");
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await using var client = await RemoteEngine.ConnectAsync($"akka.ssl.tcp://rcontrol@127.0.0.1:{port}", credentials.ClientConfig());
            var session = await client.GetSessionAsync("builder");
            var lines = new List<string>();
            Assert.Equal(0, await session.Execute("echo served", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync());
            Assert.Equal(["served"], lines);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Host_app_secured_with_typed_tls_options_serves_a_client_of_its_ca()
    {
        using var credentials = new TestCredentials();
        var caPath = Path.Combine(credentials.Directory, "ca.crt");
        var ca = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12CollectionFromFile(credentials.ServerPath, null)
            .Single(c => c.Subject.Contains("rcontrol-test-ca", StringComparison.Ordinal));
        await File.WriteAllTextAsync(caPath, ca.ExportCertificatePem());
        var port = Support.Ports.Free();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddRControl(
            (akka, _) => akka
                .WithRemoting("127.0.0.1", port)
                .WithRControlTls(new RControlTlsOptions(credentials.ServerPath) { Trust = RControlTrust.Ca, CaCertificatePath = caPath })
                .AddHocon("rcontrol.sessions { builder { type = local } }", HoconAddMode.Prepend),
            actorSystemName: "rcontrol");
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await using var client = await RemoteEngine.ConnectAsync($"akka.ssl.tcp://rcontrol@127.0.0.1:{port}", credentials.ClientConfig());
            Assert.Equal("admin", client.Identity);
            var lines = new List<string>();
            var session = await client.GetSessionAsync("builder");
            Assert.Equal(0, await session.Execute("echo typed tls", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync());
            Assert.Equal(["typed tls"], lines);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Host_app_with_remoting_but_without_authentication_does_not_start()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddRControl((akka, _) => akka.WithRemoting("127.0.0.1", Support.Ports.Free()), actorSystemName: $"plain-{Guid.NewGuid():N}");
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<RemoteSecurityException>(() => host.StartAsync());
        Assert.Contains("refusing to serve the engine over Akka.Remote without authentication", error.Message);
        Assert.Contains("WithRControlTls", error.Message);
        var system = host.Services.GetRequiredService<ActorSystem>();
        await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
