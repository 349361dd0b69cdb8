using System.Diagnostics;
using RControl.Cli.Tests.Support;
using RControl.TestSupport;

namespace RControl.Cli.Tests.Commands;

public class InterruptTests
{
    [Fact]
    public async Task Ctrl_c_kills_the_running_commands_prints_the_summary_and_exits_130()
    {
        var marker = "rcontrol-cli-interrupt-" + Guid.NewGuid().ToString("N");
        // SIGINT back to its default first: a test run started in the background of a non-interactive shell inherits it
        // ignored, and .NET (like any program) keeps a signal ignored that it inherited so.
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--default-signal=INT", "dotnet", CliProcess.Dll, "exec", "-t", "local", "--", $"echo started; sleep 60 && echo {marker}" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.Equal("local: started", await process.StandardOutput.ReadLineAsync());
        // One shell runs the command; its child shows the same command line between fork and exec, so poll for one.
        await Poll.UntilAsync(() => Shells(marker).Count == 1, TimeSpan.FromSeconds(10), "one shell running the command");

        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        var rest = await process.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{rest}\n{await stderr}");
        Assert.Contains("killed", rest);
        await Poll.UntilAsync(() => Shells(marker).Count == 0, TimeSpan.FromSeconds(10), "the command to be killed");
    }

    /// <summary>The command's shells (<c>/bin/sh -c …marker…</c>), not the rcontrol process whose arguments hold the marker too.</summary>
    private static IReadOnlyList<int> Shells(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandLine.StartsWith("/bin/sh -c ", StringComparison.Ordinal) && commandLine.Contains(marker, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended meanwhile.
            }
        }

        return found;
    }
}
