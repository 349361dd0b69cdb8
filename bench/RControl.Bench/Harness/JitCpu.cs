using System.Globalization;

namespace RControl.Bench.Harness;

/// <summary>
/// CPU time (user + system) of this process's background JIT thread (<c>.NET Tiered Com</c>: tier-1 recompilation of
/// hot methods), from <c>/proc/self/task</c>: the part of a run's client CPU that a long-lived engine pays only once.
/// </summary>
public static class JitCpu
{
    private const string ThreadName = ".NET Tiered Com";
    private static readonly double TickMs = 1000.0 / 100; // USER_HZ is 100 on Linux.

    /// <summary>Milliseconds used so far by the JIT's background threads alive now (0 without /proc).</summary>
    public static double Milliseconds()
    {
        const string tasks = "/proc/self/task";
        if (!Directory.Exists(tasks))
        {
            return 0;
        }

        long ticks = 0;
        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                if (stat[(open + 1)..close] != ThreadName)
                {
                    continue;
                }

                // Fields after the name: state ppid … utime(14) stime(15).
                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
            {
                // The thread ended meanwhile.
            }
        }

        return ticks * TickMs;
    }
}
