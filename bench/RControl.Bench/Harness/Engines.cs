namespace RControl.Bench.Harness;

/// <summary>
/// RControl systems as the benchmark uses them: reference config, Akka's INFO logging off (it writes to stdout),
/// plus any HOCON in the <c>RCONTROL_BENCH_HOCON</c> environment variable (to try engine settings, e.g. dispatchers).
/// </summary>
public static class Engines
{
    public static string QuietHocon { get; } = "akka.loglevel = WARNING\n" + (Environment.GetEnvironmentVariable("RCONTROL_BENCH_HOCON") ?? string.Empty);

    public static RControlSystem Create() => RControlSystem.Create(QuietHocon);
}
