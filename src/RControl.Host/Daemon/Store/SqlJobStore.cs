using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using RControl.Jobs;

namespace RControl.Host.Daemon.Store;

/// <summary>
/// The job store on SQLite (a file in the daemon's state directory, WAL mode) or PostgreSQL: the same queries on both,
/// the schema created and migrated by the daemon itself (table <c>rcontrol_schema</c> holds its version).
/// </summary>
internal sealed class SqlJobStore : IJobStore
{
    private const string Unfinished = "('queued', 'running')";

    private readonly Func<DbConnection> _connect;
    private readonly NpgsqlDataSource? _postgres;
    private readonly bool _sqlite;

    private SqlJobStore(StoreDialect dialect, Func<DbConnection> connect, NpgsqlDataSource? postgres, string name)
    {
        Name = name;
        Dialect = dialect;
        _connect = connect;
        _postgres = postgres;
        _sqlite = dialect == StoreDialect.Sqlite;
    }

    public StoreDialect Dialect { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>A store in an SQLite file (created with its directory when missing).</summary>
    public static SqlJobStore Sqlite(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var cs = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        return new SqlJobStore(StoreDialect.Sqlite, () => new SqliteConnection(cs), null, $"sqlite {Path.GetFullPath(path)}");
    }

    /// <summary>A store in a PostgreSQL database (<c>Host=…;Database=…;Username=…</c>).</summary>
    public static SqlJobStore PostgreSql(string connectionString)
    {
        var source = NpgsqlDataSource.Create(connectionString);
        var where = new NpgsqlConnectionStringBuilder(connectionString);
        return new SqlJobStore(StoreDialect.PostgreSql, source.CreateConnection, source, $"postgresql {where.Host}:{where.Port}/{where.Database}");
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (_sqlite)
        {
            // Committed transactions survive a killed process; readers never wait for the writer.
            await connection.ExecuteAsync("PRAGMA journal_mode=WAL").ConfigureAwait(false);
        }

        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!_sqlite)
        {
            // One daemon migrates at a time.
            await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(7423910)", transaction: tx).ConfigureAwait(false);
        }

        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS rcontrol_schema (version INTEGER NOT NULL)", transaction: tx).ConfigureAwait(false);
        var version = await connection.ExecuteScalarAsync<long?>("SELECT MAX(version) FROM rcontrol_schema", transaction: tx).ConfigureAwait(false) ?? 0;
        var migrations = Dialect.Migrations;
        if (version > migrations.Count)
        {
            throw new InvalidOperationException($"the job store's schema is version {version}, newer than this rcontrol knows ({migrations.Count}): upgrade rcontrol");
        }

        for (var v = (int)version; v < migrations.Count; v++)
        {
            foreach (var statement in migrations[v])
            {
                await connection.ExecuteAsync(statement, transaction: tx).ConfigureAwait(false);
            }

            await connection.ExecuteAsync("INSERT INTO rcontrol_schema (version) VALUES (@v)", new { v = v + 1 }, tx).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task WriteAsync(IReadOnlyList<JobWrite> writes, CancellationToken cancellationToken)
    {
        // Compressed on the caller's thread (the writer's, below the jobs' priority) before any I/O: PostgreSQL's
        // continuations run on the pool.
        var compressed = new Dictionary<JobWrite.Output, byte[]>(ReferenceEqualityComparer.Instance);
        foreach (var write in writes)
        {
            if (write is JobWrite.Output output)
            {
                compressed[output] = OutputCodec.Encode(output.Text);
            }
        }

        return WriteAsync(writes, compressed, cancellationToken);
    }

    private async Task WriteAsync(IReadOnlyList<JobWrite> writes, Dictionary<JobWrite.Output, byte[]> compressed, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var write in writes)
        {
            switch (write)
            {
                case JobWrite.JobCreated created:
                    await connection.ExecuteAsync(
                        "INSERT INTO jobs (id, owner, kind, description, targets, state, created_at) VALUES (@Id, @Owner, @Kind, @Description, @Targets, @State, @CreatedAt)",
                        new { created.Job.Id, created.Job.Owner, created.Job.Kind, created.Job.Description, Targets = string.Join('\n', created.Job.Targets), State = created.Job.State.Name(), CreatedAt = Ms(created.Job.CreatedAt) },
                        tx).ConfigureAwait(false);
                    await connection.ExecuteAsync(
                        "INSERT INTO job_tasks (job_id, idx, name, session, command, state) VALUES (@JobId, @Index, @Name, @Session, @Command, @State)",
                        created.Tasks.Select(t => new { JobId = created.Job.Id, t.Index, t.Name, t.Session, t.Command, State = t.State.Name() }),
                        tx).ConfigureAwait(false);
                    break;
                case JobWrite.TaskStarted started:
                    await connection.ExecuteAsync(
                        "UPDATE job_tasks SET state = 'running', started_at = @At WHERE job_id = @JobId AND idx = @TaskIndex",
                        new { started.JobId, started.TaskIndex, At = Ms(started.At) },
                        tx).ConfigureAwait(false);
                    break;
                case JobWrite.TaskEnded ended:
                    await connection.ExecuteAsync(
                        "UPDATE job_tasks SET state = @State, ended_at = @At, exit_code = @ExitCode, error = @Error WHERE job_id = @JobId AND idx = @TaskIndex",
                        new { ended.JobId, ended.TaskIndex, State = ended.State.Name(), At = Ms(ended.At), ended.ExitCode, ended.Error },
                        tx).ConfigureAwait(false);
                    break;
                case JobWrite.Output output:
                    await connection.ExecuteAsync(
                        "INSERT INTO job_output (job_id, seq, task_idx, stderr, at, line_count, data, codec) VALUES (@JobId, @Seq, @TaskIndex, @Stderr, @At, @LineCount, @Data, @Codec)",
                        new { output.JobId, output.Seq, output.TaskIndex, Stderr = output.Stderr ? 1 : 0, At = Ms(output.At), output.Text.LineCount, Data = compressed[output], Codec = OutputCodec.Brotli },
                        tx).ConfigureAwait(false);
                    break;
                case JobWrite.JobUpdated updated:
                    var job = updated.Job;
                    await connection.ExecuteAsync(
                        """
                        UPDATE jobs SET state = @State, started_at = @StartedAt, ended_at = @EndedAt, succeeded = @Succeeded, failed = @Failed,
                          timed_out = @TimedOut, output_bytes = @OutputBytes, truncated = @Truncated
                        WHERE id = @Id
                        """,
                        new
                        {
                            job.Id,
                            State = job.State.Name(),
                            StartedAt = job.StartedAt is { } s ? Ms(s) : (long?)null,
                            EndedAt = job.EndedAt is { } e ? Ms(e) : (long?)null,
                            job.Succeeded,
                            job.Failed,
                            job.TimedOut,
                            job.OutputBytes,
                            Truncated = job.Truncated ? 1 : 0,
                        },
                        tx).ConfigureAwait(false);
                    break;
                case JobWrite.Audited audited:
                    var entry = audited.Entry;
                    await connection.ExecuteAsync(
                        "INSERT INTO audit (at, identity, source, action, detail) VALUES (@At, @Identity, @Source, @Action, @Detail)",
                        new { At = Ms(entry.At), entry.Identity, entry.Source, entry.Action, entry.Detail },
                        tx).ConfigureAwait(false);
                    break;
            }
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<JobInfo?> GetJobAsync(string jobId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<JobRow>("SELECT * FROM jobs WHERE id = @jobId", new { jobId }).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var tasks = await connection.QueryAsync<TaskRow>("SELECT * FROM job_tasks WHERE job_id = @jobId ORDER BY idx", new { jobId }).ConfigureAwait(false);
        return row.ToInfo() with { Tasks = tasks.Select(t => t.ToInfo()).ToArray() };
    }

    public async Task<IReadOnlyList<JobInfo>> ListJobsAsync(JobQuery query, string? owner, CancellationToken cancellationToken)
    {
        var where = new List<string>();
        if (owner is not null)
        {
            where.Add("owner = @owner");
        }

        if (query.RunningOnly)
        {
            where.Add($"state IN {Unfinished}");
        }

        if (query.Since is not null)
        {
            where.Add("created_at >= @since");
        }

        var sql = $"SELECT * FROM jobs{(where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "")} ORDER BY created_at DESC, id LIMIT @limit";
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<JobRow>(sql, new { owner, since = query.Since is { } since ? Ms(since) : 0, limit = Math.Clamp(query.Limit, 1, 1000) }).ConfigureAwait(false);
        return rows.Select(r => r.ToInfo()).ToArray();
    }

    public async Task<IReadOnlyList<StoredChunk>> ReadOutputAsync(string jobId, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ChunkRow>(
            "SELECT seq, task_idx, stderr, at, line_count, data, codec FROM job_output WHERE job_id = @jobId AND seq > @afterSeq ORDER BY seq LIMIT @limit",
            new { jobId, afterSeq, limit }).ConfigureAwait(false);
        return rows.Select(r => new StoredChunk(r.seq, (int)r.task_idx, r.stderr != 0, Time(r.at), OutputCodec.Decode(r.data, (int)r.line_count, (int)r.codec))).ToArray();
    }

    public async Task<IReadOnlyList<(long Id, AuditEntry Entry)>> ReadAuditAsync(DateTimeOffset? since, long afterId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<AuditRow>(
            $"SELECT * FROM audit WHERE id > @afterId{(since is null ? "" : " AND at >= @since")} ORDER BY id LIMIT @limit",
            new { afterId, since = since is { } s ? Ms(s) : 0, limit }).ConfigureAwait(false);
        return rows.Select(r => (r.id, new AuditEntry(Time(r.at), r.identity, r.source, r.action, r.detail))).ToArray();
    }

    public async Task<IReadOnlyList<(string JobId, string Owner, JobTaskInfo Task)>> InterruptUnfinishedAsync(DateTimeOffset now, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<InterruptedRow>(
            $"SELECT t.job_id, j.owner, t.idx, t.name, t.session, t.command, t.state, t.started_at FROM job_tasks t JOIN jobs j ON j.id = t.job_id WHERE t.state = 'running' ORDER BY t.job_id, t.idx",
            transaction: tx).ConfigureAwait(false);
        var at = Ms(now);
        await connection.ExecuteAsync("UPDATE job_tasks SET state = 'interrupted', error = @reason, ended_at = @at WHERE state = 'running'", new { reason, at }, tx).ConfigureAwait(false);
        await connection.ExecuteAsync("UPDATE job_tasks SET state = 'skipped', error = @why, ended_at = @at WHERE state = 'queued'", new { why = "skipped: the daemon restarted before it started", at }, tx).ConfigureAwait(false);
        await connection.ExecuteAsync(
            $"""
            UPDATE jobs SET state = 'interrupted', ended_at = @at,
              succeeded = (SELECT COUNT(*) FROM job_tasks t WHERE t.job_id = jobs.id AND t.state = 'succeeded'),
              timed_out = (SELECT COUNT(*) FROM job_tasks t WHERE t.job_id = jobs.id AND t.state = 'timed-out'),
              failed = (SELECT COUNT(*) FROM job_tasks t WHERE t.job_id = jobs.id AND t.state NOT IN ('succeeded', 'timed-out'))
            WHERE state IN {Unfinished}
            """,
            new { at },
            tx).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(r => (r.job_id, r.owner, new JobTaskInfo((int)r.idx, r.name, r.session, r.command, JobState.Interrupted)
        {
            StartedAt = r.started_at is { } s ? Time(s) : null,
            EndedAt = now,
            Error = reason,
        })).ToArray();
    }

    public async Task<int> ApplyRetentionAsync(DateTimeOffset olderThan, int keep, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var ended = (await connection.QueryAsync<(string Id, long Ended)>(
            $"SELECT id, COALESCE(ended_at, created_at) FROM jobs WHERE state NOT IN {Unfinished} ORDER BY created_at DESC, id").ConfigureAwait(false)).ToArray();
        var cutoff = Ms(olderThan);
        var doomed = ended.Select((j, i) => (j.Id, Drop: i >= keep || j.Ended < cutoff)).Where(j => j.Drop).Select(j => j.Id).ToArray();
        foreach (var batch in doomed.Chunk(500))
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            foreach (var table in new[] { ("job_output", "job_id"), ("job_tasks", "job_id"), ("jobs", "id") })
            {
                await connection.ExecuteAsync($"DELETE FROM {table.Item1} WHERE {Dialect.InList(table.Item2, "ids")}", new { ids = batch }, tx).ConfigureAwait(false);
            }

            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        await connection.ExecuteAsync("DELETE FROM audit WHERE at < @cutoff", new { cutoff }).ConfigureAwait(false);
        return doomed.Length;
    }

    public async Task<IReadOnlyDictionary<JobState, long>> CountJobsByStateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string State, long Count)>("SELECT state, COUNT(*) FROM jobs GROUP BY state").ConfigureAwait(false);
        return rows.ToDictionary(r => JobStates.Parse(r.State), r => r.Count);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = _connect();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (_sqlite)
            {
                await connection.ExecuteAsync("PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000").ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

#pragma warning disable IDE1006, SA1300 // column names
    private sealed class JobRow
    {
        public string id { get; set; } = "";

        public string owner { get; set; } = "";

        public string kind { get; set; } = "";

        public string description { get; set; } = "";

        public string targets { get; set; } = "";

        public string state { get; set; } = "";

        public long created_at { get; set; }

        public long? started_at { get; set; }

        public long? ended_at { get; set; }

        public long succeeded { get; set; }

        public long failed { get; set; }

        public long timed_out { get; set; }

        public long output_bytes { get; set; }

        public long truncated { get; set; }

        public JobInfo ToInfo() => new(id, owner, kind, description, JobStates.Parse(state), Time(created_at))
        {
            Targets = targets.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            StartedAt = started_at is { } s ? Time(s) : null,
            EndedAt = ended_at is { } e ? Time(e) : null,
            Succeeded = (int)succeeded,
            Failed = (int)failed,
            TimedOut = (int)timed_out,
            OutputBytes = output_bytes,
            Truncated = truncated != 0,
        };
    }

    private sealed class TaskRow
    {
        public string job_id { get; set; } = "";

        public long idx { get; set; }

        public string? name { get; set; }

        public string session { get; set; } = "";

        public string command { get; set; } = "";

        public string state { get; set; } = "";

        public long? started_at { get; set; }

        public long? ended_at { get; set; }

        public long? exit_code { get; set; }

        public string? error { get; set; }

        public JobTaskInfo ToInfo() => new((int)idx, name, session, command, JobStates.Parse(state))
        {
            StartedAt = started_at is { } s ? Time(s) : null,
            EndedAt = ended_at is { } e ? Time(e) : null,
            ExitCode = exit_code is { } c ? (int)c : null,
            Error = error,
        };
    }

    private sealed class InterruptedRow
    {
        public string job_id { get; set; } = "";

        public string owner { get; set; } = "";

        public long idx { get; set; }

        public string? name { get; set; }

        public string session { get; set; } = "";

        public string command { get; set; } = "";

        public string state { get; set; } = "";

        public long? started_at { get; set; }
    }

    private sealed class ChunkRow
    {
        public long seq { get; set; }

        public long task_idx { get; set; }

        public long stderr { get; set; }

        public long at { get; set; }

        public long line_count { get; set; }

        public byte[] data { get; set; } = [];

        public long codec { get; set; }
    }

    private sealed class AuditRow
    {
        public long id { get; set; }

        public long at { get; set; }

        public string identity { get; set; } = "";

        public string source { get; set; } = "";

        public string action { get; set; } = "";

        public string detail { get; set; } = "";
    }
#pragma warning restore IDE1006, SA1300
}
