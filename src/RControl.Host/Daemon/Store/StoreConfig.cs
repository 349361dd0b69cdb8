using Akka.Configuration;
using RControl.Configuration;
using RControl.Jobs;

namespace RControl.Host.Daemon.Store;

/// <summary>
/// The daemon's store and job settings: <c>rcontrol.daemon.store { provider, connection-string }</c> and
/// <c>rcontrol.daemon.jobs { output-cap, retention { max-age, max-count, interval } }</c>, read from a config over the
/// reference HOCON (which holds every default; unknown keys were refused by <see cref="ReferenceKeys"/> when the file was read).
/// </summary>
internal sealed record StoreConfig(string Provider, string ConnectionString, JobsOptions Jobs)
{
    /// <summary>The file of the default SQLite store in the state directory.</summary>
    public const string SqliteFile = "rcontrol.db";

    public static StoreConfig Parse(Config config)
    {
        var daemon = config.GetConfig("rcontrol.daemon");
        var provider = daemon.GetString("store.provider");
        if (provider is not ("sqlite" or "postgresql"))
        {
            throw new ConfigurationException($"rcontrol.daemon.store: unknown provider '{provider}' (expected sqlite or postgresql)");
        }

        var connection = daemon.GetString("store.connection-string") ?? "";
        if (provider == "postgresql" && string.IsNullOrWhiteSpace(connection))
        {
            throw new ConfigurationException("rcontrol.daemon.store: provider postgresql needs connection-string (e.g. connection-string = ${?RCONTROL_STORE})");
        }

        long cap;
        try
        {
            cap = daemon.GetByteSize("jobs.output-cap") ?? 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ConfigurationException($"rcontrol.daemon.jobs: 'output-cap' is not a size such as 64MiB ({e.Message})", e);
        }

        if (cap <= 0)
        {
            throw new ConfigurationException("rcontrol.daemon.jobs: 'output-cap' must be positive");
        }

        var count = daemon.GetInt("jobs.retention.max-count");
        if (count < 1)
        {
            throw new ConfigurationException($"rcontrol.daemon.jobs.retention: 'max-count' must be at least 1, got {count}");
        }

        var retention = daemon.GetConfig("jobs.retention");
        return new StoreConfig(provider, connection, new JobsOptions
        {
            OutputCapBytes = cap,
            RetentionMaxCount = count,
            RetentionMaxAge = Inventory.Duration("rcontrol.daemon.jobs.retention", "max-age", retention),
            RetentionInterval = Inventory.Duration("rcontrol.daemon.jobs.retention", "interval", retention),
        });
    }

    /// <summary>Opens the configured store (not yet migrated).</summary>
    public SqlJobStore Open(string stateDirectory) => Provider == "postgresql"
        ? SqlJobStore.PostgreSql(ConnectionString)
        : SqlJobStore.Sqlite(string.IsNullOrWhiteSpace(ConnectionString) ? Path.Combine(stateDirectory, SqliteFile) : ConnectionString);
}
