namespace RControl.Bench.Harness;

/// <summary>RControl systems as the benchmark uses them: reference config, Akka's INFO logging off (it writes to stdout).</summary>
public static class Engines
{
    public const string QuietHocon = "akka.loglevel = WARNING";

    public static RControlSystem Create() => RControlSystem.Create(QuietHocon);
}
