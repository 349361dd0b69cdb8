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

    /// <summary>
    /// Opens a file for reading from <paramref name="offset"/> (a resumed copy). The default opens it and seeks, or
    /// reads and drops the bytes before the offset when the stream cannot seek.
    /// </summary>
    async Task<Stream> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        var stream = await OpenAsync(path, FileOpenMode.Read, cancellationToken).ConfigureAwait(false);
        try
        {
            await FileSystemDefaults.SkipAsync(stream, offset, cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The SHA-256 of a file as lower-case hex, computed on the host that has the file where it can (over SSH:
    /// <c>sha256sum</c>). The default reads the file through this process.
    /// </summary>
    async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        var stream = await OpenAsync(path, FileOpenMode.Read, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// Starts a program on the host that has these files, with its standard input and output as byte streams (a
    /// <c>tar</c> of a tree copy); null when this file system cannot run programs (the default).
    /// </summary>
    Task<IHostProcess?> StartProcessAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        Task.FromResult<IHostProcess?>(null);
}

/// <summary>A program started by <see cref="IFileSystem.StartProcessAsync"/>. Disposing it ends the program if it still runs.</summary>
internal interface IHostProcess : IAsyncDisposable
{
    /// <summary>The program's standard input; dispose it to send end of file.</summary>
    Stream Input { get; }

    /// <summary>The program's standard output.</summary>
    Stream Output { get; }

    /// <summary>Completes when the program has exited: its exit code and the end of its standard error (for messages).</summary>
    Task<(int ExitCode, string Error)> Exited { get; }
}

/// <summary>Helpers of <see cref="IFileSystem"/>'s default methods.</summary>
internal static class FileSystemDefaults
{
    public static async Task SkipAsync(Stream stream, long offset, CancellationToken cancellationToken)
    {
        if (offset <= 0)
        {
            return;
        }

        if (stream.CanSeek)
        {
            stream.Seek(offset, SeekOrigin.Begin);
            return;
        }

        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (offset > 0)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, offset)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException($"the file ends before offset {offset}");
                }

                offset -= read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
