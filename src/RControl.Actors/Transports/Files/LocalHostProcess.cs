using System.Diagnostics;

namespace RControl.Transports.Files;

/// <summary>A local program with byte streams for standard input and output (the local end of a <c>tar</c> tree copy).</summary>
internal sealed class LocalHostProcess : IHostProcess
{
    private readonly Process _process;

    private LocalHostProcess(Process process)
    {
        _process = process;
        Exited = WaitAsync(StandardErrorTail.ReadAsync(process.StandardError.BaseStream));
    }

    public Stream Input => _process.StandardInput.BaseStream;

    public Stream Output => _process.StandardOutput.BaseStream;

    public Task<(int ExitCode, string Error)> Exited { get; }

    /// <summary>Starts <paramref name="arguments"/> (the program is looked up on PATH); null when it cannot be started.</summary>
    public static IHostProcess? TryStart(IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(arguments[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            var process = Process.Start(start);
            return process is null ? null : new LocalHostProcess(process);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await Exited.ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task<(int, string)> WaitAsync(Task<string> error)
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return (_process.ExitCode, await error.ConfigureAwait(false));
    }
}

/// <summary>Reads a program's standard error to its end, keeping the last few KiB (enough for an error message).</summary>
internal static class StandardErrorTail
{
    private const int Keep = 4096;

    public static async Task<string> ReadAsync(Stream stream)
    {
        var tail = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                tail.AddRange(buffer.AsSpan(0, read));
                if (tail.Count > Keep)
                {
                    tail.RemoveRange(0, tail.Count - Keep);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The program is gone: what was read is what there is.
        }

        return System.Text.Encoding.UTF8.GetString(tail.ToArray()).Trim();
    }
}
