namespace RControl.Host.Daemon.Store;

/// <summary>What differs between the store's databases: the schema's few types. Queries are shared.</summary>
internal sealed record StoreDialect(string Name, string AuditId, string Blob)
{
    public static StoreDialect Sqlite { get; } = new("sqlite", "INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB");

    public static StoreDialect PostgreSql { get; } = new("postgresql", "BIGSERIAL PRIMARY KEY", "BYTEA");

    /// <summary>A condition: the column is one of the list parameter (Dapper expands a list for SQLite; PostgreSQL takes an array).</summary>
    public string InList(string column, string parameter) => Name == "postgresql" ? $"{column} = ANY(@{parameter})" : $"{column} IN @{parameter}";

    /// <summary>The schema, by version: each entry migrates from the version before it.</summary>
    public IReadOnlyList<string[]> Migrations =>
    [
        [
            """
            CREATE TABLE jobs (
              id TEXT PRIMARY KEY, owner TEXT NOT NULL, kind TEXT NOT NULL, description TEXT NOT NULL, targets TEXT NOT NULL,
              state TEXT NOT NULL, created_at BIGINT NOT NULL, started_at BIGINT NULL, ended_at BIGINT NULL,
              succeeded INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, timed_out INTEGER NOT NULL DEFAULT 0,
              output_bytes BIGINT NOT NULL DEFAULT 0, truncated INTEGER NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX jobs_created ON jobs (created_at)",
            "CREATE INDEX jobs_state ON jobs (state)",
            """
            CREATE TABLE job_tasks (
              job_id TEXT NOT NULL, idx INTEGER NOT NULL, name TEXT NULL, session TEXT NOT NULL, command TEXT NOT NULL,
              state TEXT NOT NULL, started_at BIGINT NULL, ended_at BIGINT NULL, exit_code INTEGER NULL, error TEXT NULL,
              PRIMARY KEY (job_id, idx))
            """,
            "CREATE INDEX job_tasks_state ON job_tasks (state)",
            $"""
            CREATE TABLE job_output (
              job_id TEXT NOT NULL, seq BIGINT NOT NULL, task_idx INTEGER NOT NULL, stderr INTEGER NOT NULL, at BIGINT NOT NULL,
              line_count INTEGER NOT NULL, data {Blob} NOT NULL, PRIMARY KEY (job_id, seq))
            """,
            $"""
            CREATE TABLE audit (
              id {AuditId}, at BIGINT NOT NULL, identity TEXT NOT NULL, source TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL)
            """,
            "CREATE INDEX audit_at ON audit (at)",
        ],
        [
            // Chunks of version 1 are deflate (0); new ones say their codec (OutputCodec).
            "ALTER TABLE job_output ADD COLUMN codec INTEGER NOT NULL DEFAULT 0",
        ],
    ];
}
