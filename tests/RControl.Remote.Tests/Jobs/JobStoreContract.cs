using RControl.Host.Daemon.Store;
using RControl.Jobs;
using RControl.TestSupport;

namespace RControl.Remote.Tests.Jobs;

/// <summary>
/// The job store's behaviour, run the same against SQLite (<see cref="SqliteJobStoreTests"/>) and a real PostgreSQL
/// server (<see cref="PostgreSqlJobStoreTests"/>): schema created and migrated idempotently, records and output read
/// back intact and in order, unfinished tasks interrupted exactly once, retention by age and count, the audit trail.
/// </summary>
public abstract class JobStoreContract : IAsyncLifetime
{
    private protected static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000);

    private SqlJobStore _store = null!;

    private protected abstract Task<SqlJobStore> OpenAsync();

    public async Task InitializeAsync()
    {
        _store = await OpenAsync();
        await _store.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Migrating_twice_keeps_the_data()
    {
        await _store.WriteAsync([Created("a1", "ci", JobState.Queued, T0)], CancellationToken.None);
        await _store.MigrateAsync(CancellationToken.None);
        Assert.NotNull(await _store.GetJobAsync("a1", CancellationToken.None));
    }

    [Fact]
    public async Task A_job_its_tasks_and_its_output_read_back_intact_and_in_order()
    {
        string[] weird = ["plain", "", "é ✓ 日本", "tab\there", "nul\0inside", new string('x', 100_000)];
        await _store.WriteAsync(
        [
            Created("b1", "ci", JobState.Queued, T0, tasks: 2),
            new JobWrite.TaskStarted("b1", 0, T0.AddSeconds(1)),
            new JobWrite.Output("b1", 1, 0, false, T0.AddSeconds(2), weird),
            new JobWrite.Output("b1", 2, 1, true, T0.AddSeconds(3), ["from stderr"]),
            new JobWrite.Output("b1", 3, 0, false, T0.AddSeconds(3), ["last"]),
            new JobWrite.TaskEnded("b1", 0, JobState.Failed, T0.AddSeconds(4), 3, "exit code 3 (expected 0)"),
            new JobWrite.JobUpdated(Info("b1", "ci", JobState.Failed, T0) with { StartedAt = T0.AddSeconds(1), EndedAt = T0.AddSeconds(5), Failed = 1, Succeeded = 1, OutputBytes = 99, Truncated = true }),
        ], CancellationToken.None);

        var job = await _store.GetJobAsync("b1", CancellationToken.None);
        Assert.NotNull(job);
        Assert.Equal((JobState.Failed, 1, 1, 99L, true), (job.State, job.Failed, job.Succeeded, job.OutputBytes, job.Truncated));
        Assert.Equal(["web1", "web2"], job.Targets);
        Assert.Equal(T0.AddSeconds(5), job.EndedAt);
        var task = job.Tasks[0];
        Assert.Equal((JobState.Failed, 3, "exit code 3 (expected 0)", T0.AddSeconds(1)), (task.State, task.ExitCode, task.Error, task.StartedAt));
        Assert.Equal(JobState.Queued, job.Tasks[1].State);

        var chunks = await _store.ReadOutputAsync("b1", 0, 100, CancellationToken.None);
        Assert.Equal([1L, 2, 3], chunks.Select(c => c.Seq));
        Assert.Equal(weird, chunks[0].Lines);
        Assert.True(chunks[1].Stderr);
        Assert.Equal(["last"], (await _store.ReadOutputAsync("b1", 2, 100, CancellationToken.None)).Single().Lines);
        Assert.Single(await _store.ReadOutputAsync("b1", 0, 1, CancellationToken.None));
    }

    [Fact]
    public async Task Unfinished_tasks_are_interrupted_exactly_once()
    {
        await _store.WriteAsync(
        [
            Created("c1", "ci", JobState.Queued, T0, tasks: 3),
            new JobWrite.JobUpdated(Info("c1", "ci", JobState.Running, T0)),
            new JobWrite.TaskStarted("c1", 0, T0),
            new JobWrite.TaskEnded("c1", 0, JobState.Succeeded, T0.AddSeconds(1), 0, null),
            new JobWrite.TaskStarted("c1", 1, T0),
            Created("c2", "ci", JobState.Queued, T0),
            new JobWrite.JobUpdated(Info("c2", "ci", JobState.Succeeded, T0) with { EndedAt = T0 }),
        ], CancellationToken.None);

        var interrupted = await _store.InterruptUnfinishedAsync(T0.AddMinutes(1), "interrupted (daemon restarted)", CancellationToken.None);
        var again = await _store.InterruptUnfinishedAsync(T0.AddMinutes(2), "interrupted (daemon restarted)", CancellationToken.None);

        var (jobId, owner, task) = Assert.Single(interrupted);
        Assert.Equal(("c1", "ci", 1), (jobId, owner, task.Index));
        Assert.Empty(again);
        var job = (await _store.GetJobAsync("c1", CancellationToken.None))!;
        Assert.Equal((JobState.Interrupted, 1, 2), (job.State, job.Succeeded, job.Failed));
        Assert.Equal([JobState.Succeeded, JobState.Interrupted, JobState.Skipped], job.Tasks.Select(t => t.State));
        Assert.Equal("interrupted (daemon restarted)", job.Tasks[1].Error);
        Assert.Equal(JobState.Succeeded, (await _store.GetJobAsync("c2", CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Retention_deletes_old_and_surplus_ended_jobs_with_their_output_and_keeps_running_ones()
    {
        var writes = new List<JobWrite>();
        for (var i = 0; i < 5; i++)
        {
            var at = T0.AddMinutes(i);
            writes.Add(Created($"r{i}", "ci", JobState.Queued, at));
            writes.Add(new JobWrite.Output($"r{i}", 1, 0, false, at, ["x"]));
            writes.Add(new JobWrite.JobUpdated(Info($"r{i}", "ci", JobState.Succeeded, at) with { EndedAt = at }));
        }

        writes.Add(Created("running", "ci", JobState.Queued, T0.AddDays(-100)));
        writes.Add(new JobWrite.JobUpdated(Info("running", "ci", JobState.Running, T0.AddDays(-100))));
        writes.Add(new JobWrite.Audited(new AuditEntry(T0.AddDays(-40), "ci", "here", "login", "old")));
        writes.Add(new JobWrite.Audited(new AuditEntry(T0.AddMinutes(10), "ci", "here", "login", "new")));
        await _store.WriteAsync(writes, CancellationToken.None);

        // Age: r0 ended before T0 + 30s; count: only the 3 newest ended jobs stay.
        var deleted = await _store.ApplyRetentionAsync(T0.AddSeconds(30), keep: 3, CancellationToken.None);

        Assert.Equal(2, deleted);
        var left = await _store.ListJobsAsync(new JobQuery(), null, CancellationToken.None);
        Assert.Equal(["r4", "r3", "r2", "running"], left.Select(j => j.Id));
        Assert.Empty(await _store.ReadOutputAsync("r0", 0, 10, CancellationToken.None));
        Assert.Null(await _store.GetJobAsync("r1", CancellationToken.None));
        Assert.Equal(["new"], (await _store.ReadAuditAsync(null, 0, 10, CancellationToken.None)).Select(e => e.Entry.Detail));
    }

    [Fact]
    public async Task Lists_filter_by_owner_state_and_time_newest_first_and_count_by_state()
    {
        await _store.WriteAsync(
        [
            Created("l1", "ci", JobState.Queued, T0),
            new JobWrite.JobUpdated(Info("l1", "ci", JobState.Succeeded, T0) with { EndedAt = T0 }),
            Created("l2", "ops", JobState.Queued, T0.AddMinutes(1)),
            new JobWrite.JobUpdated(Info("l2", "ops", JobState.Running, T0.AddMinutes(1))),
            Created("l3", "ci", JobState.Queued, T0.AddMinutes(2)),
        ], CancellationToken.None);

        Assert.Equal(["l3", "l2", "l1"], (await _store.ListJobsAsync(new JobQuery(), null, CancellationToken.None)).Select(j => j.Id));
        Assert.Equal(["l3", "l1"], (await _store.ListJobsAsync(new JobQuery(), "ci", CancellationToken.None)).Select(j => j.Id));
        Assert.Equal(["l3", "l2"], (await _store.ListJobsAsync(new JobQuery { RunningOnly = true }, null, CancellationToken.None)).Select(j => j.Id));
        Assert.Equal(["l3", "l2"], (await _store.ListJobsAsync(new JobQuery { Since = T0.AddSeconds(30) }, null, CancellationToken.None)).Select(j => j.Id));
        Assert.Equal(["l3"], (await _store.ListJobsAsync(new JobQuery { Limit = 1 }, null, CancellationToken.None)).Select(j => j.Id));
        var counts = await _store.CountJobsByStateAsync(CancellationToken.None);
        Assert.Equal((1L, 1L, 1L), (counts[JobState.Succeeded], counts[JobState.Running], counts[JobState.Queued]));
    }

    [Fact]
    public async Task The_audit_trail_reads_back_in_order_from_a_position_and_a_time()
    {
        var entries = Enumerable.Range(0, 5).Select(i => new JobWrite.Audited(new AuditEntry(T0.AddMinutes(i), $"id{i}", "src", "denied", $"detail {i}"))).ToArray();
        await _store.WriteAsync(entries, CancellationToken.None);

        var all = await _store.ReadAuditAsync(null, 0, 100, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"detail {i}"), all.Select(e => e.Entry.Detail));
        Assert.Equal(["detail 3", "detail 4"], (await _store.ReadAuditAsync(T0.AddMinutes(3), 0, 100, CancellationToken.None)).Select(e => e.Entry.Detail));
        Assert.Equal(["detail 2"], (await _store.ReadAuditAsync(null, all[1].Id, 1, CancellationToken.None)).Select(e => e.Entry.Detail));
        Assert.Equal(T0.AddMinutes(4), all[4].Entry.At);
    }

    private static JobInfo Info(string id, string owner, JobState state, DateTimeOffset at) =>
        new(id, owner, "exec", "echo hi", state, at) { Targets = ["web1", "web2"] };

    private static JobWrite.JobCreated Created(string id, string owner, JobState state, DateTimeOffset at, int tasks = 1) =>
        new(Info(id, owner, state, at), Enumerable.Range(0, tasks).Select(i => new JobTaskInfo(i, i == 0 ? null : $"t{i}", i % 2 == 0 ? "web1" : "web2", "echo hi", JobState.Queued)).ToArray());
}

/// <summary>The store contract on SQLite (the daemon's default).</summary>
public sealed class SqliteJobStoreTests : JobStoreContract, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rcontrol-store-").FullName;

    private protected override Task<SqlJobStore> OpenAsync() => Task.FromResult(SqlJobStore.Sqlite(Path.Combine(_dir, "rcontrol.db")));

    [Fact]
    public async Task Chunks_a_version_1_store_deflated_read_back_after_the_migration_beside_new_ones()
    {
        var path = Path.Combine(_dir, "v1.db");
        string[] old = ["from", "", "version 1 é"];
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            string[] schema =
            [
                .. StoreDialect.Sqlite.Migrations[0],
                "CREATE TABLE rcontrol_schema (version INTEGER NOT NULL)",
                "INSERT INTO rcontrol_schema (version) VALUES (1)",
                "INSERT INTO jobs (id, owner, kind, description, targets, state, created_at) VALUES ('v1', 'ci', 'exec', 'echo', 'web1', 'succeeded', 0)",
            ];
            foreach (var sql in schema)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                await command.ExecuteNonQueryAsync();
            }

            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO job_output (job_id, seq, task_idx, stderr, at, line_count, data) VALUES ('v1', 1, 0, 0, 0, 3, $data)";
            insert.Parameters.AddWithValue("$data", OutputCodec.EncodeDeflate(old));
            await insert.ExecuteNonQueryAsync();
        }

        await using var store = SqlJobStore.Sqlite(path);
        await store.MigrateAsync(CancellationToken.None);
        await store.WriteAsync([new JobWrite.Output("v1", 2, 0, false, T0, ["new", "é ✓"])], CancellationToken.None);
        var chunks = await store.ReadOutputAsync("v1", 0, 10, CancellationToken.None);
        Assert.Equal(old, chunks[0].Lines);
        Assert.Equal(["new", "é ✓"], chunks[1].Lines);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>The store contract on a real PostgreSQL server (one private cluster for the class, a database per test).</summary>
public sealed class PostgreSqlJobStoreTests(PostgreSqlJobStoreTests.Cluster cluster) : JobStoreContract, IClassFixture<PostgreSqlJobStoreTests.Cluster>
{
    private protected override async Task<SqlJobStore> OpenAsync() => SqlJobStore.PostgreSql(await cluster.Server.CreateDatabaseAsync());

    /// <summary>The cluster, started once for the class.</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        public PostgresServer Server { get; private set; } = null!;

        public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }
}
