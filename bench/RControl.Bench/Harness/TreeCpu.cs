using System.Globalization;

namespace RControl.Bench.Harness;

/// <summary>
/// CPU time (user + system) of a process tree: every live descendant of a root, counting its own time and that of its
/// children it has reaped. For the test sshd that is the connections' sshd processes and every command shell they
/// started and waited for: the server's cost of a workload, steadier than wall time on a loaded machine.
/// </summary>
public static class TreeCpu
{
    private static readonly double TickMs = 1000.0 / 100; // USER_HZ is 100 on Linux.

    /// <summary>Milliseconds of CPU used so far by <paramref name="root"/> and its live descendants (0 without /proc).</summary>
    public static double Milliseconds(int root)
    {
        var parents = new Dictionary<int, int>();
        var ticks = new Dictionary<int, long>();
        if (!Directory.Exists("/proc"))
        {
            return 0;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(dir + "/stat");
                // Fields after the command name: state ppid … utime(14) stime(15) cutime(16) cstime(17).
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
                ticks[pid] = fields.Skip(11).Take(4).Sum(f => long.Parse(f, CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
            {
                // The process ended meanwhile.
            }
        }

        long sum = 0;
        foreach (var (pid, own) in ticks)
        {
            for (var p = pid; p > 1 && parents.ContainsKey(p); p = parents[p])
            {
                if (p == root)
                {
                    sum += own;
                    break;
                }
            }
        }

        return sum * TickMs;
    }
}
