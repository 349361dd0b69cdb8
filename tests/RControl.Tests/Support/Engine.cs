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
        try
        {
            await RControl.TestSupport.Poll.UntilAsync(condition, deadline, "a condition");
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>How many processes have a command line starting with the pattern (read from /proc: no procps needed).</summary>
    public static int CountProcesses(string pattern)
    {
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandLine.StartsWith(pattern, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        return count;
    }

    /// <summary>A unique sleep duration, so a test finds exactly its own processes.</summary>
    public static string UniqueSleep() => $"{Random.Shared.Next(5000, 9000)}.{Random.Shared.Next(100000, 999999)}";
}
