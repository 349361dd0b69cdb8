using System.Diagnostics;

namespace RControl.Bench.Workloads;

/// <summary>The raw <see cref="Process"/> baselines: <c>/bin/sh -c</c>, stdout redirected, nothing else.</summary>
public static class RawProcess
{
    /// <summary>Starts <c>/bin/sh -c command</c> (optionally through <c>setsid env --default-signal=PIPE</c>, as RControl does).</summary>
    public static Process StartShell(string command, bool likeRControl = false)
    {
        var info = new ProcessStartInfo(likeRControl ? "setsid" : "/bin/sh")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (likeRControl)
        {
            info.ArgumentList.Add("env");
            info.ArgumentList.Add("--default-signal=PIPE");
            info.ArgumentList.Add("/bin/sh");
        }

        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        return Process.Start(info) ?? throw new InvalidOperationException($"cannot start /bin/sh -c {command}");
    }

    /// <summary>Runs a command, reads its output to the end and waits for it; returns the output.</summary>
    public static async Task<string> RunAsync(string command, bool likeRControl = false)
    {
        using var process = StartShell(command, likeRControl);
        var output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' exited with {process.ExitCode}");
        }

        return output;
    }

    /// <summary>
    /// Reads a command's stdout line by line into <paramref name="onLine"/> through the pipelined reader of
    /// <see cref="RawLines"/>; returns the line count.
    /// </summary>
    public static async Task<long> CountLinesAsync(string command, Action<string> onLine)
    {
        using var process = StartShell(command);
        var count = await RawLines.PipelineAsync(process.StandardOutput.BaseStream, onLine).ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        return count;
    }
}
