using System.Diagnostics;

namespace RControl.Cluster.Tests.Support;

/// <summary>The real CLI (the built rcontrol.dll) in a child process, with the user's config home and optional environment.</summary>
public static class Cli
{
    public sealed record Run(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    /// <summary>Starts the CLI (stdout and stderr redirected); finish it with <see cref="FinishAsync"/>.</summary>
    public static Process Start(string configHome, IReadOnlyDictionary<string, string>? environment, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rcontrol.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["XDG_CONFIG_HOME"] = configHome;
        info.Environment.Remove("RCONTROL_CREDENTIAL");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return Process.Start(info)!;
    }

    /// <summary>Waits (at most 2 minutes) for a started CLI and gives what it printed.</summary>
    public static async Task<Run> FinishAsync(Process process)
    {
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await process.WaitForExitAsync(timeout.Token);
            return new Run(process.ExitCode, await stdout, await stderr);
        }
    }

    public static Task<Run> RunAsync(string configHome, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        FinishAsync(Start(configHome, environment, args));

    public static Task<Run> RunAsync(string configHome, params string[] args) => RunAsync(configHome, null, args);

    /// <summary>The lines of <c>rcontrol nodes</c> that list a member Up.</summary>
    public static async Task<int> MembersUpAsync(string configHome, string daemon) =>
        (await RunAsync(configHome, "nodes", "--daemon", daemon)).Stdout.Split('\n').Count(l => l.Contains(" Up ", StringComparison.Ordinal));
}
