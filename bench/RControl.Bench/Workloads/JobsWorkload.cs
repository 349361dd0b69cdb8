using System.Globalization;
using Akka.Configuration;
using RControl.Bench.Harness;
using RControl.Jobs;
using RControl.Remote;
using RControl.TestSupport;

namespace RControl.Bench.Workloads;

/// <summary>
/// W10: jobs on the real daemon (a child process, SQLite store in its state directory). W10a: W6 as a detached job
/// with its output stored, against the same job on a second daemon whose output cap (1 byte) stores nothing — the
/// job's own duration as the daemon recorded it (task start to end). W10b: submit-to-start latency. W10c: the store's
/// bytes per million lines.
/// </summary>
public static class JobsWorkload
{
    /// <summary><c>seq 1 1000000</c> prints this many bytes (digits and newlines).</summary>
    private const long SeqBytes = 6_888_896;

    public static async Task<IReadOnlyList<Row>> RunAsync(BenchOptions options)
    {
        var stored = new Row
        {
            Workload = $"W10a job W6: `seq 1 {LocalWorkloads.SeqLines}` as a detached job, output stored (SQLite), rate of the task as recorded",
            Unit = "M lines/s",
            HigherIsBetter = true,
            Baseline = "the same job on a daemon with output-cap = 1 byte (nothing stored)",
            Target = "≤ 1.5× the unstored cost",
            IsMet = r => r.CostRatio is { } ratio && ratio <= 1.5,
        };
        var latency = new Row
        {
            Workload = "W10b submit-to-start: `SubmitAsync` called → the task's recorded start (`true` on a local session)",
            Unit = "ms",
            Baseline = "(none)",
            Target = "(measured)",
        };
        var size = new Row
        {
            Workload = "W10c history size: store bytes (rcontrol.db + WAL) per million stored lines (`seq`, 6.9 MB of text)",
            Unit = "MiB",
            Baseline = "(none)",
            Target = "(measured)",
        };

        const string Sessions = "rcontrol.sessions { local { type = local } }\n";
        await using var keeping = await EngineProcess.StartAsync(Sessions).ConfigureAwait(false);
        await using var dropping = await EngineProcess.StartAsync(Sessions + "rcontrol.daemon.jobs.output-cap = 1\n").ConfigureAwait(false);
        await using var keep = await keeping.ConnectAsAdminAsync().ConfigureAwait(false);
        await using var drop = await dropping.ConnectAsAdminAsync().ConfigureAwait(false);
        var before = StoreBytes(keeping);
        var storedJobs = 0;
        await Measure.InterleaveAsync(
            options.Runs,
            (stored.RControl, async () =>
            {
                storedJobs++;
                return await SeqJobAsync(keep, stored, expectBytes: SeqBytes).ConfigureAwait(false);
            }),
            (stored.Raw, () => SeqJobAsync(drop, stored, expectBytes: 0)));
        var perJob = (StoreBytes(keeping) - before) / (double)storedJobs;
        size.RControl.Add(perJob / (1024 * 1024));
        size.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"{storedJobs} stored 1M-line jobs; {perJob / SeqBytes:0.00} store bytes per output byte"));

        await Measure.RepeatAsync(Math.Max(options.Runs, 10), latency.RControl, async () =>
        {
            var submitted = DateTimeOffset.UtcNow;
            var id = await keep.SubmitAsync(JobRequest.Exec("true", ["local"])).ConfigureAwait(false);
            var job = await keep.WaitForJobAsync(id).ConfigureAwait(false);
            return ((job.Tasks[0].StartedAt ?? submitted) - submitted).TotalMilliseconds;
        }).ConfigureAwait(false);
        return [stored, latency, size];
    }

    /// <summary>Runs <c>seq 1 N</c> as a job and returns its rate (M lines/s) from the task's recorded start and end.</summary>
    private static async Task<double> SeqJobAsync(RemoteEngine engine, Row row, long expectBytes)
    {
        var id = await engine.SubmitAsync(JobRequest.Exec($"seq 1 {LocalWorkloads.SeqLines}", ["local"])).ConfigureAwait(false);
        var job = await engine.WaitForJobAsync(id).ConfigureAwait(false);
        var task = job.Tasks[0];
        if (job.State != JobState.Succeeded || task.StartedAt is not { } started || task.EndedAt is not { } ended)
        {
            row.Failure = $"job {id} {job.State}: {task.Error}";
            return 0;
        }

        if (expectBytes > 0 && job.OutputBytes != expectBytes)
        {
            row.Failure = $"job {id} stored {job.OutputBytes} bytes, not {expectBytes}";
        }

        return LocalWorkloads.SeqLines / (ended - started).TotalSeconds / 1e6;
    }

    private static long StoreBytes(EngineProcess engine) =>
        Directory.GetFiles(engine.StateDirectory, "rcontrol.db*").Sum(f => new FileInfo(f).Length);
}
