using RControl.Bench.Harness;

namespace RControl.Bench.Workloads;

/// <summary>W5 (300 concurrent local <c>echo hi</c>) and W6 (local <c>seq 1 1000000</c> into a per-line callback).</summary>
public static class LocalWorkloads
{
    public const int FanoutCount = 300;
    public const int SeqLines = 1_000_000;

    public static async Task<IReadOnlyList<Row>> RunW5Async(BenchOptions options)
    {
        var row = new Row
        {
            Workload = "W5 local-fanout: 300 concurrent `echo hi`",
            Unit = "s",
            Baseline = "raw Process `/bin/sh -c`",
            Target = "≤ 1.2 × raw Process",
            IsMet = r => r.CostRatio <= 1.2,
        };
        var sameExecs = new Row
        {
            Workload = "W5′ the raw baseline through `setsid env --default-signal=PIPE /bin/sh -c` (RControl's exec chain)",
            Unit = "s",
            Baseline = "raw Process `/bin/sh -c`",
            Target = "(diagnostic: the cost of the two extra execs)",
        };

        await using var rc = Engines.Create();
        var session = rc.CreateLocalSession("w5");
        await Measure.InterleaveAsync(options.Runs, (row.RControl, () => Measure.SecondsAsync(async () =>
        {
            var tasks = new CommandTask[FanoutCount];
            for (var i = 0; i < tasks.Length; i++)
            {
                tasks[i] = session.Execute("echo hi");
            }

            var errors = await session.WaitForTasksAsync(raiseIfError: false).ConfigureAwait(false);
            if (errors.Count > 0)
            {
                row.Failure = $"{errors.Count} of {FanoutCount} failed: {errors[0].Message}";
            }
        })),
            (row.Raw, () => Measure.SecondsAsync(() => RawFanoutAsync(likeRControl: false))),
            (sameExecs.RControl, () => Measure.SecondsAsync(() => RawFanoutAsync(likeRControl: true))));
        sameExecs.Raw.AddRange(row.Raw);
        row.Note($"RControl ÷ the raw baseline through the same exec chain (W5′): {row.RControlMedian / sameExecs.RControlMedian:0.00}×");
        return [row, sameExecs];
    }

    private static async Task RawFanoutAsync(bool likeRControl)
    {
        var runs = new Task<string>[FanoutCount];
        for (var i = 0; i < runs.Length; i++)
        {
            runs[i] = RawProcess.RunAsync("echo hi", likeRControl);
        }

        foreach (var output in await Task.WhenAll(runs).ConfigureAwait(false))
        {
            if (output != "hi\n")
            {
                throw new InvalidOperationException($"unexpected output '{output}'");
            }
        }
    }

    public static async Task<Row> RunW6Async(BenchOptions options)
    {
        var row = new Row
        {
            Workload = "W6 local-lines: `seq 1 1000000` into a per-line callback",
            Unit = "M lines/s",
            HigherIsBetter = true,
            Baseline = "raw Process, pipelined async line reader (every line checked)",
            Target = "≥ 2.5 M lines/s",
            IsMet = r => r.RControlMedian >= 2.5,
        };

        await using var rc = Engines.Create();
        var session = rc.CreateLocalSession("w6");
        await Measure.InterleaveAsync(
            options.Runs,
            (row.RControl, () => CountIntoCallbackAsync(session, $"seq 1 {SeqLines}", SeqLines, row)),
            (row.Raw, () => RawLinesAsync(onLine => RawProcess.CountLinesAsync($"seq 1 {SeqLines}", onLine), SeqLines, row)));
        return row;
    }

    /// <summary>Runs <c>seq 1 N</c> into a per-line callback that verifies every line in order; returns M lines/s.</summary>
    public static async Task<double> CountIntoCallbackAsync(Session session, string command, long expected, Row row)
    {
        var check = new SeqCheck();
        var options = new CommandOptions { OnStdout = (_, line) => check.Next(line) };
        var seconds = await Measure.SecondsAsync(() => session.Execute(command, options).WaitAsync()).ConfigureAwait(false);
        Verify(row, "RControl", check, expected);
        return expected / seconds / 1e6;
    }

    /// <summary>The raw side of a line workload: <paramref name="read"/> feeds every line to the same check; returns M lines/s.</summary>
    public static async Task<double> RawLinesAsync(Func<Action<string>, Task<long>> read, long expected, Row row)
    {
        var check = new SeqCheck();
        var seconds = await Measure.SecondsAsync(() => read(check.Next)).ConfigureAwait(false);
        Verify(row, "raw", check, expected);
        return expected / seconds / 1e6;
    }

    private static void Verify(Row row, string side, SeqCheck check, long expected)
    {
        Check(row, side, check.Count, expected);
        if (check.FirstMismatch is { } mismatch)
        {
            row.Failure = $"{side}: {mismatch}";
        }
    }

    public static void Check(Row row, string side, long count, long expected)
    {
        if (count != expected)
        {
            row.Failure = $"{side}: {count} lines of {expected}";
        }
        else
        {
            row.Note($"{expected:N0} lines verified");
        }
    }
}
