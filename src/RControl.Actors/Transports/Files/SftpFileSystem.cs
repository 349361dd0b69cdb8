using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Sftp;
using RControl.Files;

namespace RControl.Transports.Files;

/// <summary>
/// A session's files over SFTP, on a connection of its own (opened on first use, reopened after a loss).
/// Read and write streams keep several requests in flight (<see cref="SftpReadStream"/>, <see cref="SftpWriteStream"/>);
/// append streams are SSH.NET's <see cref="SftpFileStream"/>. Nothing is staged on disk.
/// </summary>
internal sealed class SftpFileSystem : IFileSystem
{
    /// <summary>
    /// Bytes per SFTP read or write request, and requests in flight per open stream (the pipelining window). Each
    /// request costs callbacks and a hand-over between threads, so requests are large: reads ask 255 KiB, the most
    /// OpenSSH's sftp-server answers (and what scp asks), 8 in flight (2 MiB, in pooled buffers); a server that answers
    /// less per read makes the stream ask for less. Writes send 128 KiB (whole SSH packets), 8 in flight: 1 MiB, below
    /// the 2 MiB channel window OpenSSH grants, beyond which SSH.NET would block the writing thread until the server
    /// catches up.
    /// </summary>
    internal const uint ReadRequestSize = 255 * 1024;
    internal const int ReadWindow = 8;
    internal const int WriteRequestSize = 128 * 1024; // rounded to whole SSH packets (see SftpRawSession.WholePacketsWriteLength)
    internal const int WriteWindow = 8;

    private readonly Func<CancellationToken, Task<SftpClient>> _connect;
    private readonly Func<CancellationToken, Task<SshClient>>? _connectExec;
    private readonly uint _readRequestSize;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (SftpClient Client, SftpRawSession Raw)? _connection;
    private SshClient? _exec;
    private bool _disposed;

    /// <param name="connect">Opens a connected, authenticated SFTP client.</param>
    /// <param name="connectExec">
    /// Opens a connected client for programs on the host (<c>sha256sum</c>, <c>tar</c>): a connection of its own, opened on
    /// first use; null when programs are not to be run.
    /// </param>
    /// <param name="readRequestSize">Bytes asked per read request (a test asks more than the server answers).</param>
    public SftpFileSystem(Func<CancellationToken, Task<SftpClient>> connect, Func<CancellationToken, Task<SshClient>>? connectExec = null, uint readRequestSize = ReadRequestSize)
    {
        _connect = connect;
        _connectExec = connectExec;
        _readRequestSize = readRequestSize;
    }

    /// <summary>Reads from <paramref name="offset"/> with the same pipelining as a whole file.</summary>
    public async Task<Stream> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        var (_, raw) = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        var stat = await TryStatAsync(raw, path, followLinks: true, cancellationToken).ConfigureAwait(false)
            ?? throw FileErrors.Of(FileErrorKind.NotFound, "open", path);
        if (stat.Kind == FileKind.Directory)
        {
            throw FileErrors.Of(FileErrorKind.IsADirectory, "open", path);
        }

        var handle = await OpenHandleAsync(raw, path, SftpOpenFlags.Read, "open", cancellationToken).ConfigureAwait(false);
        return new SftpReadStream(raw, handle, path, stat.Size, _readRequestSize, ReadWindow, offset);
    }

    /// <summary><c>sha256sum</c> on the host, when it can run programs; else the file is read through this process.</summary>
    public async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        var process = await StartProcessAsync(["sha256sum", "--", path], cancellationToken).ConfigureAwait(false);
        if (process is null)
        {
            var stream = await OpenAsync(path, FileOpenMode.Read, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            }
        }

        await using (process.ConfigureAwait(false))
        {
            await process.Input.DisposeAsync().ConfigureAwait(false);
            // "<64 hex digits>  <path>": only the start is needed, and no more than that is kept whatever the host sends.
            var start = new byte[64];
            var read = await process.Output.ReadAtLeastAsync(start, start.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            await process.Output.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            var line = System.Text.Encoding.ASCII.GetString(start, 0, read);
            var (exitCode, error) = await process.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
            var hash = line.Length >= 64 ? line[..64] : string.Empty;
            if (exitCode != 0 || hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
            {
                throw new FileOperationException(null, "sha256sum", path, FileErrorKind.Failure, $"sha256sum failed (exit {exitCode}): {(error.Length > 0 ? error : line)}");
            }

            return hash;
        }
    }

    /// <summary>Runs a program on the host over an exec channel of the file system's own exec connection.</summary>
    public async Task<IHostProcess?> StartProcessAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        if (_connectExec is null)
        {
            return null;
        }

        var client = await ExecConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SshHostProcess.StartAsync(client, arguments).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Wrap(e, arguments[0], arguments[^1]);
        }
    }

    public async Task<Stream> OpenAsync(string path, FileOpenMode mode, CancellationToken cancellationToken)
    {
        var (client, raw) = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        switch (mode)
        {
            case FileOpenMode.Read:
                {
                    // The size bounds the read-ahead; the stat also names a directory or a missing file clearly.
                    var stat = await TryStatAsync(raw, path, followLinks: true, cancellationToken).ConfigureAwait(false)
                        ?? throw FileErrors.Of(FileErrorKind.NotFound, "open", path);
                    if (stat.Kind == FileKind.Directory)
                    {
                        throw FileErrors.Of(FileErrorKind.IsADirectory, "open", path);
                    }

                    var handle = await OpenHandleAsync(raw, path, SftpOpenFlags.Read, "open", cancellationToken).ConfigureAwait(false);
                    return new SftpReadStream(raw, handle, path, stat.Size, _readRequestSize, ReadWindow);
                }

            case FileOpenMode.Write or FileOpenMode.CreateNew:
                {
                    // One round trip: the server refuses a directory or (CreateNew) an existing path; a stat then says which.
                    var flags = SftpOpenFlags.Write | SftpOpenFlags.Create | (mode == FileOpenMode.CreateNew ? SftpOpenFlags.Exclusive : SftpOpenFlags.Truncate);
                    var handle = await OpenHandleAsync(raw, path, flags, "open", cancellationToken).ConfigureAwait(false);
                    return new SftpWriteStream(raw, handle, path, raw.WholePacketsWriteLength(WriteRequestSize, handle), WriteWindow);
                }

            case FileOpenMode.Append:
                {
                    // Pipelined like a new file, from the current size (a resumed copy appends its rest this way).
                    var existing = await TryStatAsync(raw, path, followLinks: true, cancellationToken).ConfigureAwait(false);
                    if (existing?.Kind == FileKind.Directory)
                    {
                        throw FileErrors.Of(FileErrorKind.IsADirectory, "open", path);
                    }

                    var handle = await OpenHandleAsync(raw, path, SftpOpenFlags.Write | SftpOpenFlags.Create | SftpOpenFlags.Append, "open", cancellationToken).ConfigureAwait(false);
                    return new SftpWriteStream(raw, handle, path, raw.WholePacketsWriteLength(WriteRequestSize, handle), WriteWindow, existing?.Size ?? 0);
                }

            default:
                {
                    var (fileMode, access) = mode.ToFileModeAndAccess();
                    try
                    {
                        return await client.OpenAsync(path, fileMode, access, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        throw Wrap(e, "open", path);
                    }
                }
        }
    }

    public async Task<FileStat?> TryStatAsync(string path, bool followLinks, CancellationToken cancellationToken)
    {
        var (_, raw) = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await TryStatAsync(raw, path, followLinks, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<FileEntry>> ListAsync(string path, CancellationToken cancellationToken)
    {
        var (client, raw) = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        var stat = await TryStatAsync(raw, path, followLinks: true, cancellationToken).ConfigureAwait(false)
            ?? throw FileErrors.Of(FileErrorKind.NotFound, "list", path);
        if (stat.Kind != FileKind.Directory)
        {
            throw FileErrors.Of(FileErrorKind.NotADirectory, "list", path);
        }

        try
        {
            var entries = new List<FileEntry>();
            await foreach (var file in client.ListDirectoryAsync(path, cancellationToken).ConfigureAwait(false))
            {
                if (file.Name is not "." and not "..")
                {
                    entries.Add(new FileEntry(file.Name, ToStat(file.Attributes)));
                }
            }

            entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return entries;
        }
        catch (Exception e)
        {
            throw Wrap(e, "list", path);
        }
    }

    public async Task CreateDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        var (_, raw) = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await raw.MkDirAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw await AlreadyExistsOrWrapAsync(raw, e, "mkdir", path, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task RemoveFileAsync(string path, CancellationToken cancellationToken)
    {
        var (_, raw) = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        if ((await TryStatAsync(raw, path, followLinks: false, cancellationToken).ConfigureAwait(false))?.Kind == FileKind.Directory)
        {
            throw FileErrors.Of(FileErrorKind.IsADirectory, "remove", path);
        }

        try
        {
            await raw.RemoveAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Wrap(e, "remove", path);
        }
    }

    public async Task RemoveDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        var (_, raw) = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await raw.RmDirAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (SftpException e) when (e is not SftpPathNotFoundException and not SftpPermissionDeniedException)
        {
            // OpenSSH answers a plain "failure" for ENOTDIR and ENOTEMPTY: look at the path to say which.
            var stat = await TryStatAsync(raw, path, followLinks: false, cancellationToken).ConfigureAwait(false);
            throw stat?.Kind switch
            {
                FileKind.Directory => FileErrors.Of(FileErrorKind.NotEmpty, "rmdir", path, inner: e),
                null => FileErrors.Of(FileErrorKind.NotFound, "rmdir", path, inner: e),
                _ => FileErrors.Of(FileErrorKind.NotADirectory, "rmdir", path, inner: e),
            };
        }
        catch (Exception e)
        {
            throw Wrap(e, "rmdir", path);
        }
    }

    public async Task RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        var (_, raw) = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await raw.PosixRenameAsync(from, to).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var missingSource = e is SftpPathNotFoundException && !await Exists(raw, from, cancellationToken).ConfigureAwait(false);
            throw Wrap(e, "rename", missingSource || e is not SftpPathNotFoundException ? from : to);
        }
    }

    public async Task<string> ReadLinkAsync(string path, CancellationToken cancellationToken)
    {
        var (_, raw) = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await raw.ReadLinkAsync(path).ConfigureAwait(false);
        }
        catch (SftpException e) when (e is not SftpPathNotFoundException and not SftpPermissionDeniedException)
        {
            throw new FileOperationException(null, "readlink", path, FileErrorKind.Failure, "not a symbolic link", e);
        }
        catch (Exception e)
        {
            throw Wrap(e, "readlink", path);
        }
    }

    public async Task CreateSymbolicLinkAsync(string path, string target, CancellationToken cancellationToken)
    {
        var (_, raw) = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await raw.SymLinkAsync(target, path).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw await AlreadyExistsOrWrapAsync(raw, e, "symlink", path, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task ChmodAsync(string path, UnixFileMode mode, CancellationToken cancellationToken)
    {
        var (_, raw) = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await raw.SetModeAsync(path, mode).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Wrap(e, "chmod", path);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            _connection?.Client.Dispose();
            _connection = null;
            _exec?.Dispose();
            _exec = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    internal static FileStat ToStat(SftpFileAttributes a)
    {
        var kind = a.IsSymbolicLink ? FileKind.SymbolicLink : a.IsDirectory ? FileKind.Directory : FileKind.File;
        return new FileStat(kind, a.Size, SftpModes.Get(a), new DateTimeOffset(DateTime.SpecifyKind(a.LastWriteTimeUtc, DateTimeKind.Utc)));
    }

    private static async Task<FileStat?> TryStatAsync(SftpRawSession raw, string path, bool followLinks, CancellationToken cancellationToken)
    {
        try
        {
            var attributes = followLinks
                ? await raw.StatAsync(path).ConfigureAwait(false)
                : await raw.LStatAsync(path, cancellationToken).ConfigureAwait(false);
            return ToStat(attributes);
        }
        catch (SftpPathNotFoundException)
        {
            return null;
        }
        catch (Exception e)
        {
            throw Wrap(e, "stat", path);
        }
    }

    private static async Task<byte[]> OpenHandleAsync(SftpRawSession raw, string path, SftpOpenFlags flags, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await raw.OpenAsync(path, flags, cancellationToken).ConfigureAwait(false);
        }
        catch (SftpException e) when (e is not SftpPathNotFoundException and not SftpPermissionDeniedException)
        {
            // OpenSSH answers a plain "failure" for EEXIST and EISDIR: look at the path to say which.
            var stat = await TryStatAsync(raw, path, followLinks: true, cancellationToken).ConfigureAwait(false);
            throw stat?.Kind switch
            {
                FileKind.Directory => FileErrors.Of(FileErrorKind.IsADirectory, operation, path, inner: e),
                not null when flags.HasFlag(SftpOpenFlags.Exclusive) => FileErrors.Of(FileErrorKind.AlreadyExists, operation, path, inner: e),
                _ => Wrap(e, operation, path),
            };
        }
        catch (Exception e)
        {
            throw Wrap(e, operation, path);
        }
    }

    private static async Task<bool> Exists(SftpRawSession raw, string path, CancellationToken cancellationToken) =>
        await TryStatAsync(raw, path, followLinks: false, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>OpenSSH answers a plain "failure" for EEXIST: look at the path to say so.</summary>
    private static async Task<Exception> AlreadyExistsOrWrapAsync(SftpRawSession raw, Exception e, string operation, string path, CancellationToken cancellationToken)
    {
        if (e is SftpException and not SftpPathNotFoundException and not SftpPermissionDeniedException &&
            await Exists(raw, path, cancellationToken).ConfigureAwait(false))
        {
            return FileErrors.Of(FileErrorKind.AlreadyExists, operation, path, inner: e);
        }

        return Wrap(e, operation, path);
    }

    internal static Exception Wrap(Exception e, string operation, string path) => e switch
    {
        OperationCanceledException or FileOperationException => e,
        SftpPathNotFoundException => FileErrors.Of(FileErrorKind.NotFound, operation, path, inner: e),
        SftpPermissionDeniedException => FileErrors.Of(FileErrorKind.PermissionDenied, operation, path, inner: e),
        SftpException s => new FileOperationException(null, operation, path, FileErrorKind.Failure, $"SFTP error {s.StatusCode}: {s.Message}", e),
        SshException or SocketException or ObjectDisposedException =>
            new FileOperationException(null, operation, path, FileErrorKind.Failure, $"SFTP connection lost: {e.Message}", e),
        _ => FileErrors.Wrap(e, null, operation, path),
    };

    private async Task<SshClient> ExecConnectionAsync(CancellationToken cancellationToken)
    {
        if (_exec is { IsConnected: true } current)
        {
            return current;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_exec is { IsConnected: true } again)
            {
                return again;
            }

            _exec?.Dispose();
            _exec = null;
            _exec = await _connectExec!(cancellationToken).ConfigureAwait(false);
            return _exec;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<(SftpClient Client, SftpRawSession Raw)> ConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { Client.IsConnected: true } current)
        {
            return current;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is { Client.IsConnected: true } again)
            {
                return again;
            }

            _connection?.Client.Dispose();
            _connection = null;
            var client = await _connect(cancellationToken).ConfigureAwait(false);
            _connection = (client, new SftpRawSession(client));
            return _connection.Value;
        }
        finally
        {
            _gate.Release();
        }
    }
}
