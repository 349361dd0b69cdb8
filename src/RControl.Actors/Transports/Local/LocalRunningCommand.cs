using System.Diagnostics;

namespace RControl.Transports.Local;

internal sealed class LocalRunningCommand : IRunningCommand
{
    private readonly Process _process;

    public LocalRunningCommand(Process process, bool combined)
    {
        _process = process;
        StandardOutput = process.StandardOutput.BaseStream;
        StandardError = combined ? null : process.StandardError.BaseStream;
        ExitCode = WaitForExitCodeAsync();
    }

    public Stream StandardOutput { get; }

    public Stream? StandardError { get; }

    public Task<int> ExitCode { get; }

    private async Task<int> WaitForExitCodeAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }

    public Task KillAsync(CancellationToken cancellationToken)
    {
        // The command runs as a process group leader (setsid), so the group id is its pid.
        // Killing the group also reaches children that outlived or were orphaned by the shell.
        Posix.KillGroup(_process.Id, Posix.SIGKILL);
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
