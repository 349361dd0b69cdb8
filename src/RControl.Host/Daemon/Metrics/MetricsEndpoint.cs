using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace RControl.Host.Daemon.Metrics;

/// <summary>
/// The Prometheus scrape endpoint (Kestrel): every request must carry the bearer token (else 401, whatever the path and
/// the caller's address); the scrape path serves the metrics, the health path answers 200 "healthy" while the engine
/// answers, else 503 with the reason.
/// </summary>
internal sealed class MetricsEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsEndpoint(WebApplication app) => _app = app;

    /// <summary>Where it listens (the bound port when 0 was configured).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Starts listening; fails (e.g. address in use) with Kestrel's exception.</summary>
    /// <param name="health">Null when healthy, else the reason.</param>
    public static async Task<MetricsEndpoint> StartAsync(PrometheusSettings settings, MetricsToken token, MeterProvider meters, Func<CancellationToken, Task<string?>> health, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(settings.Listen);
        });
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (!token.Admits(context.Request.Headers.Authorization))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        app.UseOpenTelemetryPrometheusScrapingEndpoint(meters, predicate: null, path: settings.Path, configureBranchedPipeline: null, optionsName: null);
        app.Use(async (HttpContext context, Func<Task> next) =>
        {
            if (context.Request.Path != settings.HealthPath)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            var problem = await health(context.RequestAborted).ConfigureAwait(false);
            context.Response.StatusCode = problem is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(problem is null ? "healthy\n" : $"unhealthy: {problem}\n", context.RequestAborted).ConfigureAwait(false);
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var endpoint = new MetricsEndpoint(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var bound = addresses?.FirstOrDefault() ?? $"http://{settings.Listen}";
        endpoint.Address = new Uri(bound);
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
