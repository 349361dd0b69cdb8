using System.Globalization;
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
            Baseline = "raw Process + StreamReader.ReadLine",
            Target = "≥ 2.5 M lines/s",
            IsMet = r => r.RControlMedian >= 2.5,
        };

        await using var rc = Engines.Create();
        var session = rc.CreateLocalSession("w6");
        await Measure.InterleaveAsync(
            options.Runs,
            (row.RControl, () => CountIntoCallbackAsync(session, $"seq 1 {SeqLines}", SeqLines, row)),
            (row.Raw, async () =>
            {
                long count = 0;
                var seconds = await Measure.SecondsAsync(async () => count = await RawProcess.CountLinesAsync($"seq 1 {SeqLines}").ConfigureAwait(false));
                Check(row, "raw", count, SeqLines);
                return SeqLines / seconds / 1e6;
            }));
        return row;
    }

    /// <summary>Runs a command into a per-line counting callback (checking order) and returns M lines/s.</summary>
    public static async Task<double> CountIntoCallbackAsync(Session session, string command, long expected, Row row)
    {
        long count = 0;
        var ordered = true;
        var options = new CommandOptions
        {
            OnStdout = (_, line) =>
            {
                count++;
                // seq prints 1..N: a cheap order check without parsing every line.
                if (count % 100_000 == 0 && line != count.ToString(CultureInfo.InvariantCulture))
                {
                    ordered = false;
                }
            },
        };
        var seconds = await Measure.SecondsAsync(() => session.Execute(command, options).WaitAsync()).ConfigureAwait(false);
        Check(row, "RControl", count, expected);
        if (!ordered)
        {
            row.Failure = "lines out of order";
        }

        return expected / seconds / 1e6;
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
