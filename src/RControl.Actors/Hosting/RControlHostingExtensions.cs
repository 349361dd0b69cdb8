using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using RControl.Actors;
using RControl.Configuration;
using RControl.Remote;
using RControl.Security;

namespace RControl.Hosting;

/// <summary>Akka.Hosting integration: the engine in a host application's actor system, the facade in DI.</summary>
public static class RControlHostingExtensions
{
    /// <summary>
    /// Adds the RControl engine to the actor system being configured: the reference HOCON as fallback, the
    /// <see cref="SessionManagerActor"/> at <c>/user/rcontrol</c> registered as <see cref="RControlEngine"/>
    /// (inject <c>IRequiredActor&lt;RControlEngine&gt;</c>), the sessions of <c>rcontrol.sessions</c> and of
    /// <paramref name="configure"/> opened in it, the typed settings of <paramref name="configure"/> (<see cref="RControlHostingOptions.Readers"/>,
    /// <see cref="RControlHostingOptions.Remote"/>) in front of the HOCON, and (by default) Akka's logs sent to the host's logging.
    /// When the system runs Akka.Remote, it must be secured with <c>WithRControlTls</c> (or the explicit insecure
    /// setting): otherwise the start-up stops with a <see cref="RemoteSecurityException"/>.
    /// </summary>
    public static AkkaConfigurationBuilder WithRControl(this AkkaConfigurationBuilder builder, Action<RControlHostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new RControlHostingOptions();
        configure?.Invoke(options);
        if (options.ToHocon() is { } typed)
        {
            builder.AddHocon(typed, HoconAddMode.Prepend);
        }

        builder.AddHocon(RControlConfig.ReferenceConfig, HoconAddMode.Append);
        if (options.UseHostLogging)
        {
            builder.ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
        }

        builder.WithActors((system, registry, resolver) =>
        {
            var config = system.Settings.Config;
            if (((ExtendedActorSystem)system).Provider is Akka.Remote.IRemoteActorRefProvider)
            {
                RemoteSecurity.Validate(config);
            }

            var inventory = options.OpenConfiguredSessions && config.HasPath("rcontrol")
                ? Inventory.Parse(config.GetConfig("rcontrol"))
                : Inventory.Empty;
            var sessions = inventory.Sessions.ToDictionary(s => s.Key, s => s.Value);
            foreach (var (name, spec) in options.Sessions)
            {
                sessions[name] = spec;
            }

            var engine = RControlEngine.Start(system, new Inventory(sessions, inventory.Groups) { Zones = inventory.Zones }, resolver.GetService<Microsoft.Extensions.Logging.ILoggerFactory>(), options.Jobs, options.Grants);
            registry.Register<RControlEngine>(engine);
        });
        return builder;
    }

    /// <summary>
    /// Secures the host's Akka.Remote endpoint from an <c>rcontrol.remote.tls</c> section (see docs/remote.md):
    /// TLS with this node's certificate, mutual authentication, pinned / chain / CA trust, clients logging in at the gate,
    /// and Akka's untrusted mode. With the explicit insecure setting instead, no TLS (loopback only; a warning at every start).
    /// </summary>
    /// <param name="tls">A config holding <c>rcontrol.remote.tls { enabled = on, … }</c> (and <c>rcontrol.clients</c> grants).</param>
    /// <exception cref="RemoteSecurityException">Neither TLS nor the insecure setting is on in <paramref name="tls"/>, or the certificate cannot be used.</exception>
    public static AkkaConfigurationBuilder WithRControlTls(this AkkaConfigurationBuilder builder, Akka.Configuration.Config tls)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(tls);
        return builder.WithRControlSecurity(RemoteSecurity.FromConfig(tls.WithFallback(RControlConfig.ReferenceConfig)), tls);
    }

    /// <summary>
    /// Secures the host's Akka.Remote endpoint with this endpoint's certificate and trust in typed form (the same as an
    /// <c>rcontrol.remote.tls</c> section; see <see cref="WithRControlTls(AkkaConfigurationBuilder, Akka.Configuration.Config)"/>).
    /// The client grants stay in the actor system's HOCON (<c>rcontrol.clients</c>).
    /// </summary>
    /// <exception cref="RemoteSecurityException">The certificate cannot be used or the trust is incomplete (e.g. pinned without thumbprints).</exception>
    public static AkkaConfigurationBuilder WithRControlTls(this AkkaConfigurationBuilder builder, RControlTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        return builder.WithRControlTls(tls.ToConfig());
    }

    /// <summary>Secures the host's Akka.Remote endpoint with a ready <see cref="EndpointSecurity"/> (e.g. from a credential file).</summary>
    internal static AkkaConfigurationBuilder WithRControlSecurity(this AkkaConfigurationBuilder builder, EndpointSecurity security, Akka.Configuration.Config? config = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(security);
        builder.AddHocon(RemoteSecurity.TransportOverrides(security).WithFallback(config ?? Akka.Configuration.Config.Empty), HoconAddMode.Prepend);
        builder.AddSetup(security);
        if (security.Ssl is { } ssl)
        {
            builder.AddSetup(ssl);
        }

        return builder;
    }

    /// <summary>
    /// Registers an actor system with the RControl engine (<see cref="WithRControl"/>) and the facade in DI:
    /// <see cref="RControlSystem"/> (attached to the host's actor system) and <see cref="RemoteEngine"/>
    /// (the engine's named sessions).
    /// </summary>
    public static IServiceCollection AddRControl(
        this IServiceCollection services,
        Action<AkkaConfigurationBuilder, IServiceProvider>? configure = null,
        Action<RControlHostingOptions>? options = null,
        string actorSystemName = "rcontrol")
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAkka(actorSystemName, (builder, provider) =>
        {
            configure?.Invoke(builder, provider);
            builder.WithRControl(options);
        });
        return services.AddRControlFacade();
    }

    /// <summary>
    /// Registers only the facade (<see cref="RControlSystem"/> and <see cref="RemoteEngine"/>), for apps that call
    /// <c>AddAkka(…)</c> themselves with <see cref="WithRControl"/>.
    /// </summary>
    public static IServiceCollection AddRControlFacade(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(provider => RControlSystem.Attach(
            provider.GetRequiredService<ActorSystem>(),
            provider.GetRequiredService<IRequiredActor<RControlEngine>>().ActorRef));
        services.AddSingleton(provider => RemoteEngine.ForEngine(provider.GetRequiredService<RControlSystem>()));
        return services;
    }
}
