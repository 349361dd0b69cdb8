using RControl.Transports.Files;

namespace RControl.Files;

/// <summary>One side of a file operation: the session's name (for errors) and its file system.</summary>
internal sealed record FileEndpoint(string SessionName, IFileSystem FileSystem)
{
    public Task<T> Guard<T>(string operation, string path, Func<IFileSystem, Task<T>> call) =>
        FileErrors.GuardAsync(SessionName, operation, path, () => call(FileSystem));

    public Task Guard(string operation, string path, Func<IFileSystem, Task> call) =>
        FileErrors.GuardAsync(SessionName, operation, path, () => call(FileSystem));

    public Task<FileStat?> TryStatAsync(string path, bool followLinks, CancellationToken cancellationToken) =>
        Guard("stat", path, fs => fs.TryStatAsync(path, followLinks, cancellationToken));

    public async Task<FileStat> StatAsync(string path, bool followLinks, CancellationToken cancellationToken) =>
        await TryStatAsync(path, followLinks, cancellationToken).ConfigureAwait(false)
        ?? throw FileErrors.Of(FileErrorKind.NotFound, "stat", path, SessionName);

    public Task<IReadOnlyList<FileEntry>> ListAsync(string path, CancellationToken cancellationToken) =>
        Guard("list", path, fs => fs.ListAsync(path, cancellationToken));

    /// <summary>
    /// Removes a file, a link, or a directory tree (links inside are removed, never followed). Missing is fine.
    /// <paramref name="makeWritable"/> first gives each directory owner rwx (to clean up a partial copy of read-only dirs).
    /// </summary>
    public async Task RemoveTreeAsync(string path, CancellationToken cancellationToken, bool makeWritable = false)
    {
        var stat = await TryStatAsync(path, followLinks: false, cancellationToken).ConfigureAwait(false);
        if (stat is null)
        {
            return;
        }

        if (stat.Kind != FileKind.Directory)
        {
            await Guard("remove", path, fs => fs.RemoveFileAsync(path, cancellationToken)).ConfigureAwait(false);
            return;
        }

        if (makeWritable)
        {
            var mode = stat.Mode | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            await Guard("chmod", path, fs => fs.ChmodAsync(path, mode, cancellationToken)).ConfigureAwait(false);
        }

        foreach (var entry in await ListAsync(path, cancellationToken).ConfigureAwait(false))
        {
            await RemoveTreeAsync(PosixPath.Join(path, entry.Name), cancellationToken, makeWritable).ConfigureAwait(false);
        }

        await Guard("rmdir", path, fs => fs.RemoveDirectoryAsync(path, cancellationToken)).ConfigureAwait(false);
    }
}
