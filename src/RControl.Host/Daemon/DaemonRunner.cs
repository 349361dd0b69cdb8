using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RControl.Hosting;
using RControl.Remote;

namespace RControl.Host.Daemon;

/// <summary>Builds and runs the daemon's generic host (Microsoft.Extensions.Hosting; systemd-aware).</summary>
internal static class DaemonRunner
{
    public static async Task<int> RunAsync(FileInfo configFile, TextWriter error, CancellationToken cancellationToken)
    {
        DaemonConfig config;
        try
        {
            config = DaemonConfig.Load(configFile);
        }
        catch (ConfigurationException e)
        {
            await error.WriteLineAsync($"rcontrol daemon: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
        });
        builder.Services.AddSystemd();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = config.GracePeriod + TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton(config);
        builder.Services.AddAkka("rcontrol", (akka, _) =>
        {
            akka.AddHocon(config.Config, HoconAddMode.Prepend);
            if (config.Ssl is { } setup)
            {
                akka.AddSetup(setup);
            }

            akka.WithRControl();
        });
        builder.Services.AddHostedService<DaemonService>();

        try
        {
            using var host = builder.Build();
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is ConfigurationException or RemoteSecurityException)
        {
            await error.WriteLineAsync($"rcontrol daemon: {e.Message}").ConfigureAwait(false);
            return 2;
        }
    }
}
