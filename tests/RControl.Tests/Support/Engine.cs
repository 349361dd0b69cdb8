using System.Diagnostics;

namespace RControl.Tests.Support;

/// <summary>An embedded RControl system and a local session per test.</summary>
public sealed class Engine : IAsyncDisposable
{
    public Engine()
    {
        System = RControlSystem.Create();
        Local = System.CreateLocalSession();
    }

    public RControlSystem System { get; }

    public LocalSession Local { get; }

    public async ValueTask DisposeAsync()
    {
        await Local.DisposeAsync();
        await System.DisposeAsync();
    }
}

/// <summary>Small helpers for tests: polling with a deadline, process counts.</summary>
public static class Wait
{
    /// <summary>Polls a condition until it holds or the deadline passes; returns whether it held.</summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    /// <summary>How many processes have a command line starting with the pattern (pgrep -f ^pattern).</summary>
    public static int CountProcesses(string pattern)
    {
        using var pgrep = Process.Start(new ProcessStartInfo("pgrep", ["-f", "-c", "^" + pattern]) { RedirectStandardOutput = true })!;
        var output = pgrep.StandardOutput.ReadToEnd();
        pgrep.WaitForExit();
        return int.Parse(output.Trim());
    }

    /// <summary>A unique sleep duration, so pgrep can find exactly this test's processes.</summary>
    public static string UniqueSleep() => $"{Random.Shared.Next(5000, 9000)}.{Random.Shared.Next(100000, 999999)}";
}
