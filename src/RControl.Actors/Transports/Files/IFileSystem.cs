using RControl.Files;

namespace RControl.Transports.Files;

/// <summary>
/// The files of one session: the local disk or an SFTP connection. Paths are POSIX paths. Errors are
/// <see cref="FileOperationException"/>s (without the session name, which the facade adds) or the usual
/// .NET I/O exceptions. Every call may run concurrently with others.
/// </summary>
internal interface IFileSystem : IAsyncDisposable
{
    /// <summary>Opens a file as a stream. Write modes create files with mode 0666 minus the umask.</summary>
    Task<Stream> OpenAsync(string path, FileOpenMode mode, CancellationToken cancellationToken);

    /// <summary><c>stat</c> (following links) or <c>lstat</c>; null when the path does not exist.</summary>
    Task<FileStat?> TryStatAsync(string path, bool followLinks, CancellationToken cancellationToken);

    /// <summary>The entries of a directory (without <c>.</c> and <c>..</c>), each with its <c>lstat</c>.</summary>
    Task<IReadOnlyList<FileEntry>> ListAsync(string path, CancellationToken cancellationToken);

    /// <summary>Creates one directory; fails when it exists or its parent is missing.</summary>
    Task CreateDirectoryAsync(string path, CancellationToken cancellationToken);

    /// <summary>Removes a file or a symbolic link (never what it points to).</summary>
    Task RemoveFileAsync(string path, CancellationToken cancellationToken);

    /// <summary>Removes an empty directory.</summary>
    Task RemoveDirectoryAsync(string path, CancellationToken cancellationToken);

    /// <summary>Renames a file or directory, replacing a destination file (POSIX <c>rename</c>).</summary>
    Task RenameAsync(string from, string to, CancellationToken cancellationToken);

    /// <summary>The target of a symbolic link, as stored.</summary>
    Task<string> ReadLinkAsync(string path, CancellationToken cancellationToken);

    /// <summary>Creates a symbolic link at <paramref name="path"/> pointing to <paramref name="target"/>.</summary>
    Task CreateSymbolicLinkAsync(string path, string target, CancellationToken cancellationToken);

    /// <summary>Sets the permission bits.</summary>
    Task ChmodAsync(string path, UnixFileMode mode, CancellationToken cancellationToken);
}
