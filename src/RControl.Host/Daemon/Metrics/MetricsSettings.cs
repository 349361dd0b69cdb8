using System.Net;
using Akka.Configuration;
using RControl.Configuration;

namespace RControl.Host.Daemon.Metrics;

/// <summary>
/// The daemon's <c>rcontrol.daemon.metrics</c> section: an OTLP push (off by default) and a Prometheus scrape endpoint
/// with a health path (off by default; loopback and a bearer token when on). Read from a config over the reference HOCON,
/// which holds every default (unknown keys were refused by <see cref="ReferenceKeys"/> when the file was read).
/// </summary>
internal sealed record MetricsSettings(OtlpSettings? Otlp, PrometheusSettings? Prometheus)
{
    private const string Section = "rcontrol.daemon.metrics";

    /// <summary>Reads and checks the section; every problem is a <see cref="ConfigurationException"/> naming the key.</summary>
    /// <param name="stateDirectory">Where the default token file lives (the daemon's state directory).</param>
    public static MetricsSettings Parse(Config config, string stateDirectory)
    {
        var section = config.GetConfig(Section);
        return new MetricsSettings(ParseOtlp(section.GetConfig("otlp")), ParsePrometheus(section.GetConfig("prometheus"), stateDirectory));
    }

    private static OtlpSettings? ParseOtlp(Config c)
    {
        const string where = $"{Section}.otlp";
        if (!Switch(where, "enabled", c))
        {
            return null;
        }

        var endpoint = c.GetString("endpoint");
        Uri? uri = null;
        if (!string.IsNullOrWhiteSpace(endpoint) && (!Uri.TryCreate(endpoint, UriKind.Absolute, out uri) || uri.Scheme is not ("http" or "https")))
        {
            throw new ConfigurationException($"{where}: 'endpoint' must be an http:// or https:// URL, got '{endpoint}'");
        }

        var protocol = c.GetString("protocol");
        if (protocol is not ("grpc" or "http/protobuf"))
        {
            throw new ConfigurationException($"{where}: 'protocol' must be grpc or http/protobuf, got '{protocol}'");
        }

        return new OtlpSettings(uri, protocol == "grpc", Inventory.Duration(where, "interval", c));
    }

    private static PrometheusSettings? ParsePrometheus(Config c, string stateDirectory)
    {
        const string where = $"{Section}.prometheus";
        if (!Switch(where, "enabled", c))
        {
            return null;
        }

        var hostname = c.GetString("hostname");
        var address = hostname == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(hostname, out var parsed) ? parsed
            : throw new ConfigurationException($"{where}: 'hostname' must be an IP address (or localhost), got '{hostname}'");
        int port;
        try
        {
            port = c.GetInt("port");
        }
        catch (Exception e) when (e is FormatException or OverflowException or ConfigurationException)
        {
            throw new ConfigurationException($"{where}: 'port' is not a number, got '{c.GetString("port")}'", e);
        }

        if (port is < 0 or > 65535)
        {
            throw new ConfigurationException($"{where}: 'port' must be 0–65535, got {port}");
        }

        var path = PathKey(where, "path", c);
        var health = PathKey(where, "health-path", c);
        if (path == health)
        {
            throw new ConfigurationException($"{where}: 'path' and 'health-path' are both '{path}'");
        }

        var tokenFile = c.GetString("token-file");
        tokenFile = string.IsNullOrWhiteSpace(tokenFile) ? Path.Combine(stateDirectory, MetricsToken.DefaultFileName) : Path.GetFullPath(Security.CredentialLocator.Expand(tokenFile));
        return new PrometheusSettings(new IPEndPoint(address, port), path, health, tokenFile);
    }

    private static string PathKey(string where, string key, Config c)
    {
        var value = c.GetString(key) ?? "";
        return value.StartsWith('/') && !value.Contains('?', StringComparison.Ordinal) && !value.Any(char.IsWhiteSpace)
            ? value
            : throw new ConfigurationException($"{where}: '{key}' must be a URL path starting with '/', got '{value}'");
    }

    private static bool Switch(string where, string key, Config c)
    {
        try
        {
            return c.GetBoolean(key);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or ArgumentException)
        {
            throw new ConfigurationException($"{where}: '{key}' must be on or off, got '{c.GetString(key)}'", e);
        }
    }
}

/// <summary>Push every <see cref="Interval"/> to an OpenTelemetry collector (null endpoint: OTEL_EXPORTER_OTLP_ENDPOINT or the default).</summary>
internal sealed record OtlpSettings(Uri? Endpoint, bool Grpc, TimeSpan Interval);

/// <summary>The scrape endpoint: where it listens, its two paths, and the file holding its bearer token.</summary>
internal sealed record PrometheusSettings(IPEndPoint Listen, string Path, string HealthPath, string TokenFile);
