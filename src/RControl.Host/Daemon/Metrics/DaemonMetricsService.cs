using RControl.Protocol;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using RControl.Actors;
using RControl.Diagnostics;
using RControl.Hosting;

namespace RControl.Host.Daemon.Metrics;

/// <summary>
/// Exports the engine's meter (<see cref="RControlMetrics.MeterName"/>) through OpenTelemetry as the daemon's
/// <c>rcontrol.daemon.metrics</c> section asks: OTLP push, a Prometheus scrape endpoint with a health path, both, or
/// nothing (the default: no listener, no endpoint).
/// </summary>
internal sealed class DaemonMetricsService(MetricsSettings settings, IRequiredActor<RControlEngine> engine, RControl.Jobs.JobService jobs, ILoggerFactory loggers) : IHostedService
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(5);

    private readonly ILogger _log = loggers.CreateLogger("RControl.Daemon");
    private MeterProvider? _meters;
    private MetricsEndpoint? _endpoint;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.Otlp is null && settings.Prometheus is null)
        {
            return;
        }

        var builder = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService("rcontrol-daemon", serviceVersion: typeof(DaemonMetricsService).Assembly.GetName().Version?.ToString()))
            .AddMeter(RControlMetrics.MeterName);
        if (settings.Otlp is { } otlp)
        {
            builder.AddOtlpExporter((exporter, reader) =>
            {
                if (otlp.Endpoint is { } endpoint)
                {
                    exporter.Endpoint = endpoint;
                }

                exporter.Protocol = otlp.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)otlp.Interval.TotalMilliseconds;
            });
        }

        MetricsToken? token = null;
        if (settings.Prometheus is { } prometheus)
        {
            token = MetricsToken.LoadOrCreate(prometheus.TokenFile);
            builder.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
        }

        _meters = builder.Build();
        if (settings.Otlp is { } pushed)
        {
            _log.LogInformation("metrics: pushed over OTLP ({Protocol}) to {Endpoint} every {Interval}s", pushed.Grpc ? "grpc" : "http/protobuf", pushed.Endpoint?.ToString() ?? "the OTEL_EXPORTER_OTLP_ENDPOINT default", pushed.Interval.TotalSeconds);
        }

        if (settings.Prometheus is { } scrape)
        {
            _endpoint = await MetricsEndpoint.StartAsync(scrape, token!, _meters, HealthAsync, cancellationToken).ConfigureAwait(false);
            _log.LogInformation(
                "metrics: Prometheus endpoint on {Address} (scrape {Path}, health {HealthPath}); bearer token in {TokenFile}",
                _endpoint.Address,
                scrape.Path,
                scrape.HealthPath,
                scrape.TokenFile);
        }
    }

    /// <summary>Null while the engine answers a session listing within 5 s and the job store takes writes, else why not.</summary>
    private async Task<string?> HealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            var manager = await engine.GetAsync(cancellationToken).ConfigureAwait(false);
            await manager.Ask<SessionList>(ListSessions.Instance, HealthTimeout, cancellationToken).ConfigureAwait(false);
            return jobs.StoreProblem;
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return $"the engine did not answer within {HealthTimeout.TotalSeconds:0}s";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return e.Message.Split('\n')[0];
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_endpoint is not null)
        {
            await _endpoint.DisposeAsync().ConfigureAwait(false);
        }

        _meters?.Dispose(); // flushes a last OTLP export
    }
}

/// <summary>Registers the daemon's metrics export.</summary>
internal static class DaemonMetricsRegistration
{
    /// <summary>Adds <see cref="DaemonMetricsService"/> (after Akka, so it stops first).</summary>
    public static IServiceCollection AddDaemonMetrics(this IServiceCollection services, MetricsSettings settings) =>
        services.AddSingleton(settings).AddHostedService<DaemonMetricsService>();
}
