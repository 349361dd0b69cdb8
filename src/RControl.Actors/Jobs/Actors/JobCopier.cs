using System.Globalization;
using RControl.Files;
using RControl.Protocol;

namespace RControl.Jobs;

/// <summary>
/// Runs a job's copy task in the daemon, between two of its sessions (each end's file system built from the session's
/// spec, as the daemon serves remote file requests): a file, or a directory tree, with <c>rcontrol copy</c>'s rules.
/// </summary>
internal static class JobCopier
{
    /// <summary>Copies and returns the line that reports it (<c>copied 3 file(s), 1.2 MiB to web1:/srv/app</c>).</summary>
    /// <exception cref="FileOperationException">The copy failed; the message names session and path.</exception>
    /// <param name="sshConnects">The daemon's bound on SSH connects in progress (<c>rcontrol.ssh.max-connects-in-flight</c>), shared with its sessions.</param>
    public static async Task<string> RunAsync(JobCopy copy, SessionSpec from, SessionSpec to, Transports.Ssh.SshConnectSlots sshConnects, CancellationToken cancellationToken)
    {
        await using var source = SessionFactory.CreateFileSystem(from, sshConnects);
        await using var destination = SessionFactory.CreateFileSystem(to, sshConnects);
        var gate = new Lock();
        var files = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        var archive = false;
        var options = CopyOptions.Default with
        {
            OnProgress = p =>
            {
                lock (gate)
                {
                    archive |= p.Path == copy.FromPath && p.FileSize == 0 && p.TotalBytesCopied > 0; // a tree moving as one tar stream
                    files.Add(p.Path);
                    bytes = Math.Max(bytes, p.TotalBytesCopied);
                }
            },
        };
        var sourceEnd = new FileEndpoint(copy.FromSession, source);
        var copier = new FileCopier(sourceEnd, new FileEndpoint(copy.ToSession, destination), options);
        var stat = await sourceEnd.StatAsync(copy.FromPath, followLinks: true, cancellationToken).ConfigureAwait(false);
        if (stat.Kind == FileKind.Directory)
        {
            await copier.CopyDirAsync(copy.FromPath, copy.ToPath, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await copier.CopyFileAsync(copy.FromPath, copy.ToPath, cancellationToken).ConfigureAwait(false);
        }

        lock (gate)
        {
            var target = $"{copy.ToSession}:{copy.ToPath}";
            return archive ? $"copied {copy.FromPath} as one tar stream, {Bytes(bytes)} to {target}" : $"copied {files.Count} file(s), {Bytes(bytes)} to {target}";
        }
    }

    private static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{(n / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} KiB",
        _ => $"{(n / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} MiB",
    };
}
