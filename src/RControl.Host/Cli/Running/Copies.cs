using System.Globalization;
using System.Text.RegularExpressions;
using RControl.Files;

namespace RControl.Host.Cli.Running;

/// <summary>Copies between sessions (<c>session:path</c> to <c>session:path</c>) for <c>rcontrol copy</c> and plan copy tasks.</summary>
public static partial class Copies
{
    /// <summary>
    /// Splits <c>session:path</c> (the session may be <c>user@host</c>, or <c>user@host:port</c> when a port
    /// comes before the path); throws <see cref="UsageException"/> when it is not that.
    /// </summary>
    public static (string Session, string Path) Split(string endpoint)
    {
        var withPort = WithPort().Match(endpoint);
        if (withPort.Success)
        {
            return (withPort.Groups[1].Value, withPort.Groups[2].Value);
        }

        var colon = endpoint.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < endpoint.Length - 1
            ? (endpoint[..colon], endpoint[(colon + 1)..])
            : throw new UsageException($"'{endpoint}' is not session:path");
    }

    /// <summary>Copies a file, or a directory recursively, reporting progress on the unit; ends with a line counting what was copied.</summary>
    public static Task CopyAsync(SessionPool sessions, string from, string to, RunUnit unit, CancellationToken cancellationToken)
    {
        var (fromSession, fromPath) = Split(from);
        var (toSession, toPath) = Split(to);
        return CopyAsync(sessions, new Endpoint(fromSession, fromPath), new Endpoint(toSession, toPath), force: false, CopyOptions.Default, unit, cancellationToken);
    }

    /// <summary>
    /// Copies <paramref name="from"/> to <paramref name="to"/>. With <paramref name="force"/> an existing destination
    /// is replaced atomically: the copy is written beside it, renamed over it, and the old tree removed after; a
    /// failure before the rename leaves the old destination as it was (and removes the partial copy).
    /// </summary>
    public static async Task CopyAsync(SessionPool sessions, Endpoint from, Endpoint to, bool force, CopyOptions baseOptions, RunUnit unit, CancellationToken cancellationToken)
    {
        var source = await sessions.GetAsync(from.Session, cancellationToken).ConfigureAwait(false);
        var destination = await sessions.GetAsync(to.Session, cancellationToken).ConfigureAwait(false);
        var files = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        var archive = false;
        var options = baseOptions with
        {
            OnProgress = p =>
            {
                archive |= p.Path == from.Path && p.FileSize == 0 && p.TotalBytesCopied > 0; // a tree moving as one tar stream
                files.Add(p.Path);
                bytes = p.TotalBytesCopied;
                unit.ReportProgress(p.FileSize > 0 ? (double)p.FileBytesCopied / p.FileSize : 1.0, $"{p.Path} ({Bytes(p.TotalBytesCopied)})");
            },
        };
        var isDir = await source.IsDirAsync(from.Path, cancellationToken).ConfigureAwait(false);
        var target = to.Path;
        if (!isDir && await destination.IsDirAsync(target, cancellationToken).ConfigureAwait(false))
        {
            // A file goes into an existing directory under its own name.
            target = PosixPath.Join(target, PosixPath.GetFileName(from.Path));
        }

        Task CopyToAsync(string path) => isDir
            ? source.CopyDirAsync(from.Path, destination, path, options, cancellationToken)
            : source.CopyFileAsync(from.Path, destination, path, options, cancellationToken);

        if (force && await destination.ExistsAsync(target, cancellationToken).ConfigureAwait(false))
        {
            await ReplaceAsync(destination, target, CopyToAsync, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await CopyToAsync(target).ConfigureAwait(false);
        }

        unit.AddLine(Protocol.OutputStream.Stdout, archive ? $"copied {from.Path} as one tar stream, {Bytes(bytes)} to {to}" : $"copied {files.Count} file(s), {Bytes(bytes)} to {to}");
    }

    /// <summary>One side of a copy: a session name and a path in it.</summary>
    public sealed record Endpoint(string Session, string Path)
    {
        /// <inheritdoc />
        public override string ToString() => $"{Session}:{Path}";
    }

    private static async Task ReplaceAsync(Session destination, string path, Func<string, Task> copyTo, CancellationToken cancellationToken)
    {
        var trimmed = PosixPath.TrimEnd(path);
        var parent = PosixPath.GetDirectoryName(trimmed);
        var name = PosixPath.GetFileName(trimmed);
        var id = Guid.NewGuid().ToString("N")[..12];
        var staging = Beside(parent, $".{name}.rcontrol-new-{id}");
        try
        {
            await copyTo(staging).ConfigureAwait(false);
        }
        catch
        {
            await RemoveQuietlyAsync(destination, staging).ConfigureAwait(false);
            throw;
        }

        if (!await destination.IsDirAsync(trimmed, cancellationToken).ConfigureAwait(false))
        {
            // A file (or link) is replaced by the rename itself.
            await destination.RenameAsync(staging, trimmed, cancellationToken).ConfigureAwait(false);
            return;
        }

        // A directory cannot be renamed over: move the old one aside, the new one in, then remove the old one.
        var old = Beside(parent, $".{name}.rcontrol-old-{id}");
        await destination.RenameAsync(trimmed, old, cancellationToken).ConfigureAwait(false);
        try
        {
            await destination.RenameAsync(staging, trimmed, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await destination.RenameAsync(old, trimmed, CancellationToken.None).ConfigureAwait(false);
            await RemoveQuietlyAsync(destination, staging).ConfigureAwait(false);
            throw;
        }

        await destination.RemoveAsync(old, recursive: true, cancellationToken).ConfigureAwait(false);
    }

    private static string Beside(string parent, string name) => parent.Length == 0 ? name : PosixPath.Join(parent, name);

    private static async Task RemoveQuietlyAsync(Session session, string path)
    {
        try
        {
            if (await session.ExistsAsync(path, CancellationToken.None).ConfigureAwait(false))
            {
                await session.RemoveAsync(path, recursive: true, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (FileOperationException)
        {
            // Best effort: the error that matters is the copy's.
        }
    }

    private static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{(n / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} KiB",
        _ => $"{(n / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} MiB",
    };

    [GeneratedRegex(@"^([^:/]+:\d+):(.+)$")]
    private static partial Regex WithPort();
}
