using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using RControl.Bench.Harness;
using RControl.Jobs;
using RControl.Remote;
using RControl.TestSupport;

namespace RControl.Bench.Workloads;

/// <summary>
/// W10: jobs on the real daemon (a child process, SQLite store in its state directory). W10a: W6 as a detached job
/// with its output stored, against the same job on a second daemon whose output cap (1 byte) stores nothing — the
/// job's own duration as the daemon recorded it (task start to end), the two sides alternating, the ratio the median of
/// the pairs' ratios. W10d: the daemon process's CPU time (user + sys) per job on each side, the steady measure of what
/// storing adds. W10e: the same at 10 M lines (a diagnostic). W10b: submit-to-start latency. W10c: the store's bytes per
/// million lines. Both sides are verified: each job succeeds, the stored one holds every byte, and each daemon's own
/// count of output lines (its Prometheus endpoint) grew by exactly the lines its jobs printed.
/// </summary>
public static class JobsWorkload
{
    /// <summary><c>seq 1 1000000</c> prints this many bytes (digits and newlines).</summary>
    private const long SeqBytes = 6_888_896;

    /// <summary><c>seq 1 10000000</c> prints this many bytes.</summary>
    private const long BigSeqBytes = 78_888_897;

    private const long BigSeqLines = 10_000_000;

    /// <summary>Linux reports process times in ticks of 1/100 s (USER_HZ) whatever the kernel's HZ.</summary>
    private const double TicksPerSecond = 100;

    public static async Task<IReadOnlyList<Row>> RunAsync(BenchOptions options)
    {
        var pairs = Math.Max(4 * options.Runs, 20);
        var stored = new Row
        {
            Workload = $"W10a job W6: `seq 1 {LocalWorkloads.SeqLines}` as a detached job, output stored (SQLite), rate of the task as recorded",
            Unit = "M lines/s",
            HigherIsBetter = true,
            Baseline = "the same job on a daemon with output-cap = 1 byte (nothing stored)",
            Target = "≤ 1.5× the unstored cost",
            IsMet = r => r.CostRatio is { } ratio && ratio <= 1.5,
        };
        var cpu = new Row
        {
            Workload = $"W10d daemon CPU (user+sys, /proc) per job of W10a: `seq 1 {LocalWorkloads.SeqLines}` stored",
            Unit = "ms/M lines",
            Baseline = "the same, not stored",
            Target = "(measured)",
        };
        var big = new Row
        {
            Workload = $"W10e diagnostic: `seq 1 {BigSeqLines}` (75 MiB) as W10a, stored",
            Unit = "M lines/s",
            HigherIsBetter = true,
            Baseline = "the same job, not stored",
            Target = "(measured)",
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

        // The keeping daemon's cap (128 MiB instead of the default 64) only lets the 10 M-line diagnostic be stored whole.
        await using var keeping = await EngineProcess.StartAsync(Config(FreePort.Get(), "128MiB", out var keepMetrics)).ConfigureAwait(false);
        await using var dropping = await EngineProcess.StartAsync(Config(FreePort.Get(), "1", out var dropMetrics)).ConfigureAwait(false);
        await using var keep = await keeping.ConnectAsAdminAsync().ConfigureAwait(false);
        await using var drop = await dropping.ConnectAsAdminAsync().ConfigureAwait(false);
        var keepSide = new Side(keeping, keep, keepMetrics);
        var dropSide = new Side(dropping, drop, dropMetrics);
        var keepLinesBefore = await keepSide.OutputLinesAsync().ConfigureAwait(false);
        var dropLinesBefore = await dropSide.OutputLinesAsync().ConfigureAwait(false);

        var storeBefore = StoreBytes(keeping);
        var stored1M = await PairsAsync(pairs, LocalWorkloads.SeqLines, SeqBytes, keepSide, dropSide, stored, cpu).ConfigureAwait(false);
        var perJob = (StoreBytes(keeping) - storeBefore) / (double)stored1M;
        size.RControl.Add(perJob / (1024 * 1024));
        size.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"{stored1M} stored 1M-line jobs; {perJob / SeqBytes:0.00} store bytes per output byte"));

        var bigCpu = new Row { Workload = "", Unit = "", Baseline = "", Target = "" };
        await PairsAsync(3, BigSeqLines, BigSeqBytes, keepSide, dropSide, big, bigCpu).ConfigureAwait(false);
        big.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"3 pairs after one warm-up pair; daemon CPU per M lines {bigCpu.RControlMedian:0} ms stored vs {bigCpu.RawMedian:0} not stored (median pair ratio {bigCpu.CostRatio:0.00}×); {AddedCpu(bigCpu)}"));
        big.Notes.AddRange(bigCpu.Notes);

        // The same work on both sides: each daemon delivered exactly the lines of its jobs.
        foreach (var (side, before, name) in new[] { (keepSide, keepLinesBefore, "stored"), (dropSide, dropLinesBefore, "not stored") })
        {
            var delivered = await side.OutputLinesAsync().ConfigureAwait(false) - before;
            if (delivered != side.LinesRun)
            {
                stored.Failure = $"the {name} side's daemon delivered {delivered} lines, its jobs printed {side.LinesRun}";
            }
        }

        stored.Note(string.Create(CultureInfo.InvariantCulture, $"{pairs} pairs (stored, not stored) after one warm-up pair; ratio = median of the pairs' ratios; every line of both sides counted by its daemon ({keepSide.LinesRun:N0} / {dropSide.LinesRun:N0})"));
        cpu.Notes.Add(AddedCpu(cpu) + "; ratio = median of the pairs' ratios");

        await Measure.RepeatAsync(Math.Max(options.Runs, 10), latency.RControl, async () =>
        {
            var submitted = DateTimeOffset.UtcNow;
            var id = await keep.SubmitAsync(JobRequest.Exec("true", ["local"])).ConfigureAwait(false);
            var job = await keep.WaitForJobAsync(id).ConfigureAwait(false);
            return ((job.Tasks[0].StartedAt ?? submitted) - submitted).TotalMilliseconds;
        }).ConfigureAwait(false);
        return [stored, cpu, big, latency, size];
    }

    /// <summary>
    /// One warm-up pair, then <paramref name="pairs"/> pairs — the stored job, then the same job not stored — adding
    /// rates to <paramref name="rate"/> and daemon CPU per M lines to <paramref name="cpu"/>; returns the stored jobs run.
    /// </summary>
    private static async Task<int> PairsAsync(int pairs, long lines, long bytes, Side keep, Side drop, Row rate, Row cpu)
    {
        var jobs = 0;
        var toStored = new List<double>();
        var writer = new List<double>();
        for (var i = -1; i < pairs; i++)
        {
            Measure.Settle();
            var s = await keep.RunAsync(lines, bytes, rate).ConfigureAwait(false);
            Measure.Settle();
            var n = await drop.RunAsync(lines, 0, rate).ConfigureAwait(false);
            jobs++;
            if (i < 0 || s.Rate == 0 || n.Rate == 0)
            {
                continue;
            }

            rate.RControl.Add(s.Rate);
            rate.Raw.Add(n.Rate);
            rate.PairRatios.Add(n.Rate / s.Rate);
            cpu.RControl.Add(s.CpuMs);
            cpu.Raw.Add(n.CpuMs);
            cpu.PairRatios.Add(n.CpuMs > 0 ? s.CpuMs / n.CpuMs : double.NaN);
            toStored.Add(s.ToStoredSeconds - n.ToStoredSeconds);
            writer.Add(s.WriterCpuMs);
        }

        cpu.Note(string.Create(CultureInfo.InvariantCulture,
            $"of the stored side's CPU, the job store writer thread took {writer.Average():0} ms per M lines (mean; 0 when the build has no such thread)"));

        rate.Note(string.Create(CultureInfo.InvariantCulture,
            $"submit → ended and stored (client's clock) takes {Stats.Median(toStored) * 1000:0} ms longer stored (median of pairs)"));
        return jobs;
    }

    /// <summary>
    /// What storing adds to the daemon's CPU per M lines: the mean of the pairs' differences (process times come in
    /// 10 ms ticks, which a median of single jobs would show as steps) and its standard error.
    /// </summary>
    private static string AddedCpu(Row cpu)
    {
        var differences = cpu.RControl.Zip(cpu.Raw, (s, n) => s - n).ToArray();
        var mean = differences.Average();
        var error = differences.Length > 1 ? Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / (differences.Length - 1) / differences.Length) : double.NaN;
        return string.Create(CultureInfo.InvariantCulture, $"storing adds {mean:0} ± {error:0} ms of daemon CPU per M lines (mean of the pairs' differences ± its standard error)");
    }

    private static string Config(int metricsPort, string outputCap, out int port)
    {
        port = metricsPort;
        return string.Create(CultureInfo.InvariantCulture, $$"""
            rcontrol.sessions { local { type = local } }
            rcontrol.daemon.jobs.output-cap = {{outputCap}}
            rcontrol.daemon.metrics.prometheus { enabled = on, port = {{metricsPort}} }

            """);
    }

    private static long StoreBytes(EngineProcess engine) =>
        Directory.GetFiles(engine.StateDirectory, "rcontrol.db*").Sum(f => new FileInfo(f).Length);

    /// <summary>One daemon: its client, its CPU time, its count of output lines.</summary>
    private sealed class Side(EngineProcess daemon, RemoteEngine engine, int metricsPort)
    {
        private HttpClient? _http;

        /// <summary>Lines printed by the jobs run so far (warm-ups included).</summary>
        public long LinesRun { get; private set; }

        /// <summary>Runs <c>seq 1 N</c> as a job: its rate (M lines/s) from the task's recorded start and end, and the daemon's CPU per M lines.</summary>
        public async Task<(double Rate, double CpuMs, double WriterCpuMs, double ToStoredSeconds)> RunAsync(long lines, long expectBytes, Row row)
        {
            var clock = Stopwatch.StartNew();
            var cpuBefore = CpuSeconds();
            var writerBefore = WriterCpuSeconds();
            var id = await engine.SubmitAsync(JobRequest.Exec($"seq 1 {lines}", ["local"])).ConfigureAwait(false);
            var job = await engine.WaitForJobAsync(id).ConfigureAwait(false);
            var cpuSeconds = CpuSeconds() - cpuBefore;
            var writerSeconds = WriterCpuSeconds() - writerBefore;
            var toStored = clock.Elapsed.TotalSeconds;
            LinesRun += lines;
            var task = job.Tasks[0];
            if (job.State != JobState.Succeeded || task.StartedAt is not { } started || task.EndedAt is not { } ended)
            {
                row.Failure = $"job {id} {job.State}: {task.Error}";
                return (0, 0, 0, 0);
            }

            if (expectBytes > 0 ? job.OutputBytes != expectBytes || job.Truncated : !job.Truncated)
            {
                row.Failure = $"job {id} stored {job.OutputBytes} bytes (truncated: {job.Truncated}), not {expectBytes}";
            }

            var perMillion = 1000 / (lines / 1e6);
            return (lines / (ended - started).TotalSeconds / 1e6, cpuSeconds * perMillion, writerSeconds * perMillion, toStored);
        }

        /// <summary>The daemon's <c>rcontrol_output_lines_total</c> (stdout).</summary>
        public async Task<long> OutputLinesAsync()
        {
            if (_http is null)
            {
                var token = (await File.ReadAllTextAsync(Path.Combine(daemon.StateDirectory, "metrics-token")).ConfigureAwait(false)).Trim();
                _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
                _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            var text = await _http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).ConfigureAwait(false);
            return text.Split('\n')
                .Where(l => l.StartsWith("rcontrol_output_lines_total{", StringComparison.Ordinal) && l.Contains("stream=\"stdout\"", StringComparison.Ordinal))
                .Sum(l => (long)double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        }

        /// <summary>User + system CPU of the daemon process itself (its threads, not its children: <c>seq</c> is not counted).</summary>
        private double CpuSeconds() => StatCpuSeconds($"/proc/{daemon.ProcessId}/stat");

        /// <summary>User + system CPU of the daemon's job store writer thread (named <c>rcontrol job store writer</c>; 0 when it has none).</summary>
        private double WriterCpuSeconds()
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{daemon.ProcessId}/task"))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("rcontrol job st", StringComparison.Ordinal))
                    {
                        return StatCpuSeconds(Path.Combine(task, "stat"));
                    }
                }
                catch (IOException)
                {
                    // A thread that ended meanwhile.
                }
            }

            return 0;
        }

        private static double StatCpuSeconds(string path)
        {
            var stat = File.ReadAllText(path);
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state): utime is field 14, stime field 15.
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
    }
}
