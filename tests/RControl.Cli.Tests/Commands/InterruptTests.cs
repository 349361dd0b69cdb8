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
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { CliProcess.Dll, "exec", "-t", "local", "--", $"echo started; sleep 60 && echo {marker}" })
        {
            start.ArgumentList.Add(arg);
        }

        // Only the command's shell matches (not the rcontrol process, whose arguments hold the marker too).
        var shell = $"^/bin/sh -c .*{marker}";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.Equal("local: started", await process.StandardOutput.ReadLineAsync());
        Assert.Single(await ProcessRunner.PgrepAsync(shell));

        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        var rest = await process.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{rest}\n{await stderr}");
        Assert.Contains("killed", rest);
        await Poll.UntilAsync(async () => (await ProcessRunner.PgrepAsync(shell)).Count == 0, TimeSpan.FromSeconds(10), "the command to be killed");
    }
}
