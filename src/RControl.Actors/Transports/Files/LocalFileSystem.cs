using System.Runtime.InteropServices;
using System.Text;
using RControl.Files;

namespace RControl.Transports.Files;

/// <summary>The local disk (POSIX). Calls run synchronously on the caller's thread and return completed tasks.</summary>
internal sealed class LocalFileSystem : IFileSystem
{
    private const UnixFileMode LinkMode = (UnixFileMode)0x1FF;

    /// <inheritdoc />
    public Task<Stream> OpenAsync(string path, FileOpenMode mode, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Directory.Exists(path))
        {
            throw FileErrors.Of(FileErrorKind.IsADirectory, "open", path);
        }

        var (fileMode, access) = mode.ToFileModeAndAccess();
        try
        {
            // bufferSize 0: no FileStream buffer; callers move data in large chunks.
            Stream stream = new FileStream(path, fileMode, access, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            return Task.FromResult(stream);
        }
        catch (Exception e)
        {
            throw FileErrors.Wrap(e, null, "open", path);
        }
    }

    /// <inheritdoc />
    public Task<FileStat?> TryStatAsync(string path, bool followLinks, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Stat(path, followLinks));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<FileEntry>> ListAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var stat = Stat(path, followLinks: true);
        if (stat is null)
        {
            throw FileErrors.Of(FileErrorKind.NotFound, "list", path);
        }

        if (stat.Kind != FileKind.Directory)
        {
            throw FileErrors.Of(FileErrorKind.NotADirectory, "list", path);
        }

        try
        {
            var entries = new List<FileEntry>();
            foreach (var full in Directory.EnumerateFileSystemEntries(path))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = Path.GetFileName(full);
                if (Stat(full, followLinks: false) is { } entryStat)
                {
                    entries.Add(new FileEntry(name, entryStat));
                }
            }

            entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return Task.FromResult<IReadOnlyList<FileEntry>>(entries);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw FileErrors.Wrap(e, null, "list", path);
        }
    }

    /// <inheritdoc />
    public Task CreateDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Check(LocalNative.Mkdir(path), "mkdir", path);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RemoveFileAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Check(LocalNative.Unlink(path), "remove", path);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RemoveDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Check(LocalNative.Rmdir(path), "rmdir", path);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var errno = LocalNative.Rename(from, to);
        if (errno != 0)
        {
            // Name the path that is missing: the source, unless it exists (then the destination's directory).
            Check(errno, "rename", errno == 2 && Stat(from, followLinks: false) is not null ? to : from);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<string> ReadLinkAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
        {
            return Task.FromResult(target);
        }

        throw Stat(path, followLinks: false) is null
            ? FileErrors.Of(FileErrorKind.NotFound, "readlink", path)
            : new FileOperationException(null, "readlink", path, FileErrorKind.Failure, "not a symbolic link");
    }

    /// <inheritdoc />
    public Task CreateSymbolicLinkAsync(string path, string target, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            File.CreateSymbolicLink(path, target);
        }
        catch (Exception e)
        {
            throw FileErrors.Wrap(e, null, "symlink", path);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ChmodAsync(string path, UnixFileMode mode, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("chmod needs a POSIX system");
        }

        try
        {
            File.SetUnixFileMode(path, mode);
        }
        catch (Exception e)
        {
            throw FileErrors.Wrap(e, null, "chmod", path);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IHostProcess?> StartProcessAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(LocalHostProcess.TryStart(arguments));
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static FileStat? Stat(string path, bool followLinks)
    {
        FileSystemInfo info = new FileInfo(path);
        if (info.LinkTarget is { } linkTarget)
        {
            if (!followLinks)
            {
                return new FileStat(FileKind.SymbolicLink, Encoding.UTF8.GetByteCount(linkTarget), LinkMode, info.LastWriteTimeUtc);
            }

            try
            {
                info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
            }
            catch (IOException)
            {
                return null; // a loop of links
            }
        }

        if (Directory.Exists(info.FullName))
        {
            var dir = new DirectoryInfo(info.FullName);
            return new FileStat(FileKind.Directory, 0, dir.UnixFileMode, dir.LastWriteTimeUtc);
        }

        var file = new FileInfo(info.FullName);
        return file.Exists && file.LinkTarget is null
            ? new FileStat(FileKind.File, file.Length, file.UnixFileMode, file.LastWriteTimeUtc)
            : null;
    }

    private static void Check(int errno, string operation, string path)
    {
        if (errno == 0)
        {
            return;
        }

        var kind = FileErrors.FromErrno(errno);
        var reason = kind == FileErrorKind.Failure ? Marshal.GetPInvokeErrorMessage(errno) : FileErrors.Reason(kind);
        throw new FileOperationException(null, operation, path, kind, reason);
    }
}
