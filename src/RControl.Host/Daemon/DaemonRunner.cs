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
        Metrics.MetricsSettings metrics;
        try
        {
            config = DaemonConfig.Load(configFile);
            metrics = Metrics.MetricsSettings.Parse(config.Config, DaemonState.DirectoryOf(config.Config));
        }
        catch (ConfigurationException e)
        {
            await error.WriteLineAsync($"rcontrol daemon: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        if (PortInUse(config) is { } inUse)
        {
            await error.WriteLineAsync($"rcontrol daemon: {inUse}").ConfigureAwait(false);
            return 2;
        }

        await using var jobs = await DaemonJobs.OpenAsync(config, error, cancellationToken).ConfigureAwait(false);
        if (jobs is null)
        {
            return 2;
        }

        // The rcontrol.jobs gauge counts the stored jobs by state at each collection (a scrape or an OTLP push); while the
        // store is away it reports nothing (the health path says why) rather than failing the scrape.
        RControl.Diagnostics.RControlMetrics.SetJobsByState(() =>
        {
            try
            {
                return jobs.CountJobsByStateAsync(CancellationToken.None).GetAwaiter().GetResult()
                    .Select(p => new KeyValuePair<string, long>(RControl.Jobs.JobStates.Name(p.Key), p.Value)).ToArray();
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException or IOException)
            {
                return [];
            }
        });

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
        });
        // A failed start is reported as one line on stderr (below), not as the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.AddSystemd();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = config.GracePeriod + TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(jobs);
        builder.Services.AddSingleton(jobs.Store);
        var startup = new StartupFailure();
        builder.Services.AddSingleton(startup);
        builder.Services.AddAkka("rcontrol", (akka, _) =>
        {
            akka.AddHocon(config.Config, HoconAddMode.Prepend);
            akka.WithRControlSecurity(config.Security);
            DaemonCluster.AddTo(akka, config);
            akka.WithRControl(o =>
            {
                o.Jobs = jobs;
                if (config.MintedGrants is { } minted)
                {
                    minted.Warn = message => error.WriteLine($"rcontrol daemon: {message}");
                    o.Grants = minted.Current;
                }
            });
        });
        builder.Services.AddHostedService<DaemonService>();
        Metrics.DaemonMetricsRegistration.AddDaemonMetrics(builder.Services, metrics);

        try
        {
            using var host = builder.Build();
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            if (startup.Reason is { } reason)
            {
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await error.WriteLineAsync($"rcontrol daemon: {reason}").ConfigureAwait(false);
                return 2;
            }

            await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A start-up failure (port in use, a session that cannot be opened …): one line, status 2.
            await error.WriteLineAsync($"rcontrol daemon: {Describe(e)}").ConfigureAwait(false);
            return 2;
        }
    }

    /// <summary>
    /// Whether the endpoint's port is taken (checked before Akka starts, so the error is one line; the listener itself
    /// runs without address reuse, so a race still fails the start).
    /// </summary>
    private static string? PortInUse(DaemonConfig config)
    {
        var host = config.Config.GetString("akka.remote.dot-netty.tcp.hostname", "127.0.0.1");
        var port = config.Config.GetInt("akka.remote.dot-netty.tcp.port", 4053);
        if (port == 0 || !System.Net.IPAddress.TryParse(string.IsNullOrEmpty(host) ? "0.0.0.0" : host, out var address))
        {
            return null;
        }

        try
        {
            using var socket = new System.Net.Sockets.Socket(address.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            socket.Bind(new System.Net.IPEndPoint(address, port));
            return null;
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            return $"cannot listen on {host}:{port}: the address is already in use (another daemon?)";
        }
        catch (System.Net.Sockets.SocketException e)
        {
            return $"cannot listen on {host}:{port}: {e.Message}";
        }
    }

    /// <summary>The innermost useful message of a start-up failure, on one line.</summary>
    public static string Describe(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null && inner is not ConfigurationException)
        {
            inner = inner.InnerException;
        }

        var message = inner.Message.Split('\n')[0].Trim();
        return inner is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse }
            || message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
            ? $"cannot listen: address already in use ({message})"
            : message;
    }
}

/// <summary>Set by <see cref="DaemonService"/> when the endpoint did not come up, so the runner exits 2 with one line.</summary>
internal sealed class StartupFailure
{
    public string? Reason { get; set; }
}
