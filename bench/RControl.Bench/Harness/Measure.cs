using System.Diagnostics;

namespace RControl.Bench.Harness;

/// <summary>Runs a measurement a number of times after one warm-up run.</summary>
public static class Measure
{
    /// <summary>Runs <paramref name="once"/> once to warm up, then <paramref name="runs"/> times, adding each value to <paramref name="into"/>.</summary>
    public static async Task RepeatAsync(int runs, List<double> into, Func<Task<double>> once, bool warmUp = true)
    {
        if (warmUp)
        {
            await once().ConfigureAwait(false);
        }

        for (var i = 0; i < runs; i++)
        {
            Settle();
            into.Add(await once().ConfigureAwait(false));
        }
    }

    /// <summary>
    /// Runs several sides alternately (A B A B …) after one warm-up run each, so that on a busy machine every side
    /// sees the same load; a null side is skipped.
    /// </summary>
    public static Task InterleaveAsync(int runs, params (List<double> Into, Func<Task<double>>? Once)[] sides) =>
        InterleaveAsync(runs, 1, sides);

    /// <summary>As above, after <paramref name="warmUps"/> alternate warm-up runs of each side (for code that the JIT tiers up over several runs).</summary>
    public static async Task InterleaveAsync(int runs, int warmUps, params (List<double> Into, Func<Task<double>>? Once)[] sides)
    {
        for (var w = 0; w < warmUps; w++)
        {
            foreach (var (_, once) in sides)
            {
                if (once is not null)
                {
                    await once().ConfigureAwait(false);
                }
            }
        }

        for (var i = 0; i < runs; i++)
        {
            foreach (var (into, once) in sides)
            {
                if (once is not null)
                {
                    Settle();
                    into.Add(await once().ConfigureAwait(false));
                }
            }
        }
    }

    /// <summary>Times an async action in seconds.</summary>
    public static async Task<double> SecondsAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action().ConfigureAwait(false);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Collects garbage between runs so one run's garbage is not paid by the next.</summary>
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
