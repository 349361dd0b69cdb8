using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Sftp;
using RControl.Files;

namespace RControl.Transports.Files;

/// <summary>
/// A session's files over SFTP, on a connection of its own (opened on first use, reopened after a loss).
/// Streams are SSH.NET's <see cref="SftpFileStream"/>: reads are pipelined, nothing is staged on disk.
/// </summary>
internal sealed class SftpFileSystem : IFileSystem
{
    /// <summary>
    /// Bytes per SFTP request. SSH.NET reads ahead up to 100 requests per open stream: 16 KiB keeps that near
    /// 2 MiB (plenty in flight) so a copy's memory stays bounded; writes are not read ahead and go faster larger.
    /// </summary>
    private const uint ReadRequestSize = 16 * 1024;
    private const uint WriteRequestSize = 64 * 1024;

    private readonly Func<CancellationToken, Task<SftpClient>> _connect;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (SftpClient Client, SftpRawSession Raw)? _connection;
    private bool _disposed;

    /// <param name="connect">Opens a connected, authenticated SFTP client.</param>
    public SftpFileSystem(Func<CancellationToken, Task<SftpClient>> connect)
    {
        _connect = connect;
    }

    public async Task<Stream> OpenAsync(string path, FileOpenMode mode, CancellationToken cancellationToken)
    {
        var (client, raw) = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        var existing = await TryStatAsync(raw, path, followLinks: true, cancellationToken).ConfigureAwait(false);
        if (existing?.Kind == FileKind.Directory)
        {
            throw FileErrors.Of(FileErrorKind.IsADirectory, "open", path);
        }

        if (mode == FileOpenMode.CreateNew && existing is not null)
        {
            throw FileErrors.Of(FileErrorKind.AlreadyExists, "open", path);
        }

        var (fileMode, access) = mode.ToFileModeAndAccess();
        try
        {
            // Read when opening: a concurrent open of the other kind only changes request sizes.
            client.BufferSize = access == FileAccess.Read ? ReadRequestSize : WriteRequestSize;
            return await client.OpenAsync(path, fileMode, access, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw mode == FileOpenMode.CreateNew
                ? await AlreadyExistsOrWrapAsync(raw, e, "open", path, cancellationToken).ConfigureAwait(false)
                : Wrap(e, "open", path);
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
        var (client, _) = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var attributes = await client.GetAttributesAsync(path, cancellationToken).ConfigureAwait(false);
            SetMode(attributes, mode);
            await Task.Run(() => client.SetAttributes(path, attributes), cancellationToken).ConfigureAwait(false);
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
        }
        finally
        {
            _gate.Release();
        }
    }

    internal static FileStat ToStat(SftpFileAttributes a)
    {
        var kind = a.IsSymbolicLink ? FileKind.SymbolicLink : a.IsDirectory ? FileKind.Directory : FileKind.File;
        return new FileStat(kind, a.Size, GetMode(a), new DateTimeOffset(DateTime.SpecifyKind(a.LastWriteTimeUtc, DateTimeKind.Utc)));
    }

    private static UnixFileMode GetMode(SftpFileAttributes a)
    {
        var mode = UnixFileMode.None;
        void Set(bool on, UnixFileMode bit) => mode |= on ? bit : UnixFileMode.None;
        Set(a.OwnerCanRead, UnixFileMode.UserRead);
        Set(a.OwnerCanWrite, UnixFileMode.UserWrite);
        Set(a.OwnerCanExecute, UnixFileMode.UserExecute);
        Set(a.GroupCanRead, UnixFileMode.GroupRead);
        Set(a.GroupCanWrite, UnixFileMode.GroupWrite);
        Set(a.GroupCanExecute, UnixFileMode.GroupExecute);
        Set(a.OthersCanRead, UnixFileMode.OtherRead);
        Set(a.OthersCanWrite, UnixFileMode.OtherWrite);
        Set(a.OthersCanExecute, UnixFileMode.OtherExecute);
        Set(a.IsUIDBitSet, UnixFileMode.SetUser);
        Set(a.IsGroupIDBitSet, UnixFileMode.SetGroup);
        Set(a.IsStickyBitSet, UnixFileMode.StickyBit);
        return mode;
    }

    private static void SetMode(SftpFileAttributes a, UnixFileMode mode)
    {
        a.OwnerCanRead = mode.HasFlag(UnixFileMode.UserRead);
        a.OwnerCanWrite = mode.HasFlag(UnixFileMode.UserWrite);
        a.OwnerCanExecute = mode.HasFlag(UnixFileMode.UserExecute);
        a.GroupCanRead = mode.HasFlag(UnixFileMode.GroupRead);
        a.GroupCanWrite = mode.HasFlag(UnixFileMode.GroupWrite);
        a.GroupCanExecute = mode.HasFlag(UnixFileMode.GroupExecute);
        a.OthersCanRead = mode.HasFlag(UnixFileMode.OtherRead);
        a.OthersCanWrite = mode.HasFlag(UnixFileMode.OtherWrite);
        a.OthersCanExecute = mode.HasFlag(UnixFileMode.OtherExecute);
        a.IsUIDBitSet = mode.HasFlag(UnixFileMode.SetUser);
        a.IsGroupIDBitSet = mode.HasFlag(UnixFileMode.SetGroup);
        a.IsStickyBitSet = mode.HasFlag(UnixFileMode.StickyBit);
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

    private static Exception Wrap(Exception e, string operation, string path) => e switch
    {
        OperationCanceledException or FileOperationException => e,
        SftpPathNotFoundException => FileErrors.Of(FileErrorKind.NotFound, operation, path, inner: e),
        SftpPermissionDeniedException => FileErrors.Of(FileErrorKind.PermissionDenied, operation, path, inner: e),
        SftpException s => new FileOperationException(null, operation, path, FileErrorKind.Failure, $"SFTP error {s.StatusCode}: {s.Message}", e),
        SshConnectionException or SocketException or ObjectDisposedException or SshOperationTimeoutException =>
            new FileOperationException(null, operation, path, FileErrorKind.Failure, $"SFTP connection lost: {e.Message}", e),
        _ => FileErrors.Wrap(e, null, operation, path),
    };

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
