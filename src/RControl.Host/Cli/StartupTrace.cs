using System.Diagnostics;

namespace RControl.Host.Cli;

/// <summary>
/// With <c>RCONTROL_TRACE_STARTUP=1</c>, prints on stderr how many milliseconds after the process started each
/// phase of a run was reached (bench/README.md's start-up breakdown); otherwise does nothing.
/// </summary>
internal static class StartupTrace
{
    public static bool On { get; } = Environment.GetEnvironmentVariable("RCONTROL_TRACE_STARTUP") == "1";

    // After On: static initialisers run in text order.
    private static readonly long ProcessStartMs = ReadProcessStart();

    /// <summary>Prints the time since the process started and <paramref name="phase"/>, when tracing is on.</summary>
    public static void Mark(string phase)
    {
        if (On && ProcessStartMs > 0)
        {
            var now = Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;
            var cpu = Environment.CpuUsage.TotalTime.TotalMilliseconds;
            Console.Error.WriteLine($"rcontrol: trace: {now - ProcessStartMs,6:F0} ms wall {cpu,6:F0} ms CPU  {phase}");
        }
    }

    /// <summary>
    /// With tracing on, also names every assembly loaded and the type of every exception thrown (caught or not) as it
    /// happens; not the exception's message, which may quote input.
    /// </summary>
    public static void WatchLoads()
    {
        if (!On)
        {
            return;
        }

        AppDomain.CurrentDomain.AssemblyLoad += (_, e) => Mark($"loaded {e.LoadedAssembly.GetName().Name}");
        AppDomain.CurrentDomain.FirstChanceException += (_, e) => Mark($"thrown {e.Exception.GetType().FullName}");
    }

    /// <summary>The process's start in milliseconds of the monotonic clock (from /proc/self/stat, 10 ms resolution).</summary>
    private static long ReadProcessStart()
    {
        if (!On)
        {
            return 0;
        }

        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Field 22 (starttime, clock ticks since boot); fields[0] is field 3.
            return long.Parse(fields[19], System.Globalization.CultureInfo.InvariantCulture) * 10;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }
}
