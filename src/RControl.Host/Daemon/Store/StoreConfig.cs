using Akka.Configuration;
using RControl.Configuration;
using RControl.Jobs;

namespace RControl.Host.Daemon.Store;

/// <summary>
/// The daemon's store and job settings: <c>rcontrol.daemon.store { provider, connection-string }</c> and
/// <c>rcontrol.daemon.jobs { output-cap, retention { max-age, max-count, interval } }</c>. Unknown keys are refused.
/// </summary>
internal sealed record StoreConfig(string Provider, string ConnectionString, JobsOptions Jobs)
{
    private static readonly string[] StoreKeys = ["provider", "connection-string"];
    private static readonly string[] JobKeys = ["output-cap", "retention"];
    private static readonly string[] RetentionKeys = ["max-age", "max-count", "interval"];

    /// <summary>The file of the default SQLite store in the state directory.</summary>
    public const string SqliteFile = "rcontrol.db";

    public static StoreConfig Parse(Config config)
    {
        var daemon = config.GetConfig("rcontrol.daemon") ?? Config.Empty;
        Known(daemon, "store", StoreKeys, "rcontrol.daemon.store");
        Known(daemon, "jobs", JobKeys, "rcontrol.daemon.jobs");
        Known(daemon, "jobs.retention", RetentionKeys, "rcontrol.daemon.jobs.retention");
        var provider = daemon.GetString("store.provider", "sqlite");
        if (provider is not ("sqlite" or "postgresql"))
        {
            throw new ConfigurationException($"rcontrol.daemon.store: unknown provider '{provider}' (expected sqlite or postgresql)");
        }

        var connection = daemon.GetString("store.connection-string", "") ?? "";
        if (provider == "postgresql" && string.IsNullOrWhiteSpace(connection))
        {
            throw new ConfigurationException("rcontrol.daemon.store: provider postgresql needs connection-string (e.g. connection-string = ${?RCONTROL_STORE})");
        }

        long cap;
        try
        {
            cap = daemon.GetByteSize("jobs.output-cap") ?? 64L * 1024 * 1024;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ConfigurationException($"rcontrol.daemon.jobs: 'output-cap' is not a size such as 64MiB ({e.Message})", e);
        }

        if (cap <= 0)
        {
            throw new ConfigurationException("rcontrol.daemon.jobs: 'output-cap' must be positive");
        }

        var count = daemon.HasPath("jobs.retention.max-count") ? daemon.GetInt("jobs.retention.max-count") : 10_000;
        if (count < 1)
        {
            throw new ConfigurationException($"rcontrol.daemon.jobs.retention: 'max-count' must be at least 1, got {count}");
        }

        var retention = daemon.HasPath("jobs.retention") ? daemon.GetConfig("jobs.retention") : Config.Empty;
        return new StoreConfig(provider, connection, new JobsOptions
        {
            OutputCapBytes = cap,
            RetentionMaxCount = count,
            RetentionMaxAge = retention.HasPath("max-age") ? Inventory.Duration("rcontrol.daemon.jobs.retention", "max-age", retention) : TimeSpan.FromDays(30),
            RetentionInterval = retention.HasPath("interval") ? Inventory.Duration("rcontrol.daemon.jobs.retention", "interval", retention) : TimeSpan.FromMinutes(10),
        });
    }

    /// <summary>Opens the configured store (not yet migrated).</summary>
    public SqlJobStore Open(string stateDirectory) => Provider == "postgresql"
        ? SqlJobStore.PostgreSql(ConnectionString)
        : SqlJobStore.Sqlite(string.IsNullOrWhiteSpace(ConnectionString) ? Path.Combine(stateDirectory, SqliteFile) : ConnectionString);

    private static void Known(Config daemon, string path, string[] known, string where)
    {
        foreach (var key in Inventory.ChildKeys(daemon, path))
        {
            if (!known.Contains(key))
            {
                throw new ConfigKeyException(["rcontrol", "daemon", .. path.Split('.'), key], $"{where}: unknown key '{key}'{KeySuggestion.Hint(key, known)} (known: {string.Join(", ", known)})");
            }
        }
    }
}
