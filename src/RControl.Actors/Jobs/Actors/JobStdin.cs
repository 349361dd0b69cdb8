using RControl.Files;
using RControl.Protocol;

namespace RControl.Jobs;

/// <summary>
/// A job's stdin (<see cref="JobRequest.Stdin"/>) for one command, as <c>exec --stdin</c> gives it: the bytes go to the
/// session as a private file (<c>/tmp/.rcontrol-stdin-*</c>, mode 0600, created exclusively) that the command's shell
/// opens as its stdin and removes before the command runs.
/// </summary>
internal static class JobStdin
{
    /// <summary>Writes the file; returns its path and the command line that reads it.</summary>
    /// <param name="sshConnects">The daemon's bound on SSH connects in progress, shared with its sessions.</param>
    public static async Task<(string Path, string Command)> PrepareAsync(SessionSpec session, byte[] data, string command, Transports.Ssh.SshConnectSlots sshConnects, CancellationToken cancellationToken)
    {
        var path = $"/tmp/.rcontrol-stdin-{Guid.NewGuid():N}";
        var files = SessionFactory.CreateFileSystem(session, sshConnects);
        await using (files.ConfigureAwait(false))
        {
            var stream = await files.OpenAsync(path, FileOpenMode.CreateNew, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await files.ChmodAsync(path, UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken).ConfigureAwait(false);
                await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            }
        }

        return (path, $"exec <'{path}' && rm -f '{path}' || exit 125\n{command}");
    }

    /// <summary>Removes a file whose command never ran (its task was killed while the file was written); best effort.</summary>
    public static async Task RemoveAsync(SessionSpec session, string path, Transports.Ssh.SshConnectSlots sshConnects)
    {
        try
        {
            var files = SessionFactory.CreateFileSystem(session, sshConnects);
            await using (files.ConfigureAwait(false))
            {
                await files.RemoveFileAsync(path, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nothing to report to: the task has ended; the file is private to the session's user.
        }
    }
}
