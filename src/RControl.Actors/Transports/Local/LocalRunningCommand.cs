using System.IO.Pipes;
using Microsoft.Win32.SafeHandles;

namespace RControl.Transports.Local;

/// <summary>A local command: the leader of its own process group (its pid is the group id), read through pipes.</summary>
internal sealed class LocalRunningCommand : IRunningCommand
{
    private readonly int _pid;
    private readonly Stream _stdout;
    private readonly Stream? _stderr;

    public LocalRunningCommand(int pid, int stdout, int? stderr)
    {
        _pid = pid;
        _stdout = OpenPipe(stdout);
        _stderr = stderr is { } fd ? OpenPipe(fd) : null;
        ExitCode = ChildReaper.WhenExited(pid, beforeReap: () => HostDeathGuard.Remove(pid));
    }

    public Stream StandardOutput => _stdout;

    public Stream? StandardError => _stderr;

    public Task<int> ExitCode { get; }

    /// <summary>
    /// Kills the whole process group, then waits until its leader is reaped and no process of the group is left
    /// alive (zombies awaiting their new parent do not count), or until <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        // Before the leader is reaped the group id cannot belong to anyone else; after it, only orphans of
        // this command can still be in the group (a pid is reused only once no group carries it).
        Posix.KillGroup(_pid, Posix.SIGKILL);
        try
        {
            await ExitCode.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The exit status was lost; the kill itself went out.
        }

        while (ProcessGroup.HasLiveMembers(_pid))
        {
            Posix.KillGroup(_pid, Posix.SIGKILL);
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync()
    {
        _stdout.Dispose();
        _stderr?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static Stream OpenPipe(int fd) =>
        new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(fd, ownsHandle: true));
}
